// swift-tools-version: 6.1
import PackageDescription

/// Micro-benchmarks of Cairn's engines with ordo-one/benchmark (package-benchmark), a package of its own so the
/// main build and CI do not compile the benchmark tooling. Run from this directory:
///
///     swift package --disable-sandbox benchmark
let package = Package(
    name: "CairnBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Cairn", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EngineOperations",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CairnEngines", package: "Cairn"),
                .product(name: "CairnProcessCleanup", package: "Cairn"),
                .product(name: "CairnStorage", package: "Cairn"),
            ],
            path: "Benchmarks/EngineOperations",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
