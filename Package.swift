// swift-tools-version: 6.1
import PackageDescription

/// Cairn: a Dynamo-style key-value store whose tables sit on pluggable storage engines.
///
/// The folders show the layers: `Engines/` holds the persistence layer (one protocol, four engines, the
/// table catalog), `Sources/` the node and its command-line tool, `Tests/` one suite per layer.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// Deliberate bugs (`CoreMutation`) compiled into debug builds only, for the simulator's mutation suite.
let mutationSettings: [SwiftSetting] = strictSettings + [.define("CAIRN_MUTATIONS", .when(configuration: .debug))]

let package = Package(
    name: "Cairn",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cairn", targets: ["cairn"]),
        .library(name: "CairnStorage", targets: ["CairnStorage"]),
        .library(name: "CairnEngines", targets: ["CairnEngines"]),
        .library(name: "CairnClient", targets: ["CairnClient"]),
        .library(name: "CairnProcessCleanup", targets: ["CairnProcessCleanup"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // MARK: Persistence layer
        .target(name: "CairnStorage", path: "Engines/Storage", swiftSettings: strictSettings),
        .target(name: "CMemoryPrefetch", path: "Engines/CMemoryPrefetch"),
        .target(
            name: "MemoryEngine", dependencies: ["CairnStorage", "CMemoryPrefetch"], path: "Engines/Memory",
            swiftSettings: strictSettings),
        .systemLibrary(
            name: "CLMDB", path: "Engines/CLMDB", pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]),
        .target(
            name: "LMDBEngine", dependencies: ["CairnStorage", "CLMDB"], path: "Engines/LMDB",
            swiftSettings: strictSettings),
        .systemLibrary(
            name: "CLevelDB", path: "Engines/CLevelDB",
            providers: [.apt(["libleveldb-dev"])]),
        .target(
            name: "LevelDBEngine", dependencies: ["CairnStorage", "CLevelDB"], path: "Engines/LevelDB",
            swiftSettings: strictSettings),
        .systemLibrary(
            name: "CRocksDB", path: "Engines/CRocksDB", pkgConfig: "rocksdb",
            providers: [.apt(["librocksdb-dev"])]),
        .target(
            name: "RocksDBEngine", dependencies: ["CairnStorage", "CRocksDB"], path: "Engines/RocksDB",
            swiftSettings: strictSettings),
        .target(
            name: "CairnEngines",
            dependencies: ["CairnStorage", "MemoryEngine", "LMDBEngine", "LevelDBEngine", "RocksDBEngine"],
            path: "Engines/Catalog", swiftSettings: strictSettings),

        // MARK: Core (no IO)
        .target(name: "CairnCore", dependencies: ["CairnStorage"], path: "Sources/CairnCore", swiftSettings: strictSettings),
        .target(
            name: "CairnReplication", dependencies: ["CairnCore"], path: "Sources/CairnReplication",
            swiftSettings: mutationSettings),
        .target(
            name: "CairnMembership", dependencies: ["CairnCore"], path: "Sources/CairnMembership",
            swiftSettings: strictSettings),

        // MARK: Wire (frame codecs, no IO) and server (NIO)
        .target(
            name: "CairnWire", dependencies: ["CairnCore", "CairnNode", "CairnReplication", "CairnMembership"], path: "Sources/CairnWire",
            swiftSettings: strictSettings),
        .target(
            name: "CairnServer",
            dependencies: [
                "CairnWire", "CairnNode", "CairnHTTP", "CairnEngines", "CairnMembership", "CairnReplication", "CairnStorage",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CairnServer", swiftSettings: strictSettings),

        // MARK: Benchmarks
        .target(
            name: "CRawEngines", dependencies: ["CLMDB", "CLevelDB", "CRocksDB"], path: "Benchmarks/RawC",
            linkerSettings: [.linkedLibrary("lmdb"), .linkedLibrary("leveldb"), .linkedLibrary("rocksdb")]),
        .target(
            name: "CairnBench",
            dependencies: [
                "CairnCore", "CairnEngines", "CRawEngines", "CairnMembership", "CairnReplication", "CairnNode",
                "CairnServer", .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CairnBench", swiftSettings: strictSettings),

        // MARK: Node and tools
        // Removing a command's directories and children on SIGINT/SIGTERM; also used by the micro-benchmark package.
        .target(
            name: "CairnProcessCleanup", dependencies: ["CairnStorage"], path: "Sources/CairnProcessCleanup",
            swiftSettings: strictSettings),
        .target(
            name: "CairnNode", dependencies: ["CairnReplication", "CairnMembership", "CairnStorage"], path: "Sources/CairnNode",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "cairn",
            dependencies: [
                "CairnEngines", "CairnBench", "CairnReplication", "CairnCore", "CairnServer", "CairnHTTP", "CairnClient",
                "CairnProcessCleanup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            path: "Sources/cairn", swiftSettings: strictSettings),

        // MARK: HTTP API for clients (Hummingbird; kept out of Sources/CairnServer so that target's sources do not overlap)
        .target(
            name: "CairnHTTP",
            dependencies: [
                "CairnCore", "CairnReplication",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/CairnHTTP", resources: [.copy("openapi.yaml")], swiftSettings: strictSettings),

        // MARK: HTTP client (depends on none of the node's modules: only SwiftNIO and Foundation)
        .target(
            name: "CairnClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/CairnClient", swiftSettings: strictSettings),

        // MARK: Tests
        .target(name: "CairnTestSupport", dependencies: ["CairnCore"], path: "Tests/Support", swiftSettings: strictSettings),
        .testTarget(
            name: "EngineConformanceTests", dependencies: ["CairnCore", "CairnEngines", "CairnTestSupport"],
            path: "Tests/EngineConformanceTests", swiftSettings: strictSettings),
        .target(
            name: "CairnSimulator",
            dependencies: [
                "CairnCore", "CairnReplication", "CairnMembership", "CairnNode", "CairnStorage", "CairnEngines", "MemoryEngine",
                "CairnTestSupport",
            ],
            path: "Tests/Simulator", swiftSettings: mutationSettings),
        .executableTarget(
            name: "membership-soak", dependencies: ["CairnSimulator"], path: "Tests/MembershipSoak", exclude: ["soak.sh"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "ReplicationTests",
            dependencies: [
                "CairnCore", "CairnReplication", "CairnMembership", "CairnNode", "CairnSimulator", "CairnStorage", "CairnEngines",
                "MemoryEngine",
            ],
            path: "Tests/ReplicationTests", exclude: ["testdata"], swiftSettings: mutationSettings),
        .testTarget(
            name: "TransferTests",
            dependencies: [
                "CairnCore", "CairnReplication", "CairnNode", "CairnStorage", "CairnEngines", "MemoryEngine", "LMDBEngine",
                "CairnTestSupport",
            ],
            path: "Tests/TransferTests", swiftSettings: strictSettings),
        .testTarget(
            name: "BenchTests", dependencies: ["CairnBench", "CairnReplication", "CairnStorage", "CairnTestSupport"],
            path: "Tests/BenchTests", swiftSettings: strictSettings),
        .testTarget(
            name: "MembershipTests", dependencies: ["CairnCore", "CairnMembership", "CairnBench"],
            path: "Tests/MembershipTests", swiftSettings: strictSettings),
        .testTarget(
            name: "FailureDetectionTests", dependencies: ["CairnCore", "CairnMembership", "CairnBench"],
            path: "Tests/FailureDetectionTests", swiftSettings: strictSettings),
        .testTarget(
            name: "CLITests", dependencies: ["CairnTestSupport"], path: "Tests/CLITests", swiftSettings: strictSettings),
        .testTarget(
            name: "MemoryEngineTests", dependencies: ["CairnCore", "CairnStorage", "MemoryEngine"],
            path: "Tests/MemoryEngineTests", swiftSettings: strictSettings),
        .testTarget(
            name: "WireTests", dependencies: ["CairnCore", "CairnWire", "CairnNode", "CairnReplication", "CairnMembership"], path: "Tests/WireTests", swiftSettings: strictSettings),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "CairnCore", "CairnReplication", "CairnNode", "CairnWire", "CairnServer",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ServerTests", swiftSettings: strictSettings),
        .testTarget(
            name: "TableStoreTests", dependencies: ["CairnEngines", "CairnTestSupport"],
            path: "Tests/TableStoreTests", swiftSettings: strictSettings),
        .testTarget(
            name: "HTTPTests",
            dependencies: [
                "CairnCore", "CairnReplication", "CairnHTTP",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Tests/HTTPTests", swiftSettings: strictSettings),
        .testTarget(
            name: "ClientTests",
            dependencies: [
                "CairnClient", "CairnCore", "CairnReplication", "CairnStorage", "CairnHTTP", "CairnTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/ClientTests", swiftSettings: strictSettings),
    ]
)
