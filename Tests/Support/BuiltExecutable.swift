import Foundation

/// Finds executables built by the same `swift build` / `swift test` as the running test binary.
public enum BuiltExecutable {
    /// The path of the built `cairn` tool, which sits next to the test bundle.
    public static func path(named name: String = "cairn") throws -> String {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // Inside a bundle (…/CairnPackageTests.xctest/Contents/MacOS) walk up to the products directory.
        for _ in 0..<4 where !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent(name).path) {
            directory = directory.deletingLastPathComponent()
        }
        let candidate = directory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw MissingExecutable(name: name, searchedFrom: testBinary.path)
        }
        return candidate
    }

    /// The built executable could not be found; build it with `swift build` first.
    public struct MissingExecutable: Error, CustomStringConvertible {
        public let name: String
        public let searchedFrom: String
        public var description: String { "no built '\(name)' next to \(searchedFrom): run swift build first" }
    }
}
