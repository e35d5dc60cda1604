import CLMDB
import CLevelDB
import Foundation

/// The machine and library versions a run was measured on.
public struct MachineInfo: Codable, Sendable {
    public var cpu: String
    public var cores: Int
    public var memoryBytes: UInt64
    public var kernel: String
    public var lmdbVersion: String
    public var leveldbVersion: String
    public var build: String

    public static func current() -> MachineInfo {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) }
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        return MachineInfo(
            cpu: model ?? "unknown", cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: ProcessInfo.processInfo.physicalMemory, kernel: "Linux \(release)",
            lmdbVersion: String(cString: mdb_version(nil, nil, nil)),
            leveldbVersion: "LevelDB \(leveldb_major_version()).\(leveldb_minor_version())", build: build)
    }

    public var summary: String {
        "\(cpu), \(cores) cores, \(memoryBytes >> 30) GiB, \(kernel); \(lmdbVersion); \(leveldbVersion); \(build) build"
    }
}
