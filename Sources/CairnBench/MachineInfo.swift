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
    /// Nil in runs saved before RocksDB was measured.
    public var rocksdbVersion: String?
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
            leveldbVersion: "LevelDB \(leveldb_major_version()).\(leveldb_minor_version())",
            rocksdbVersion: rocksdbLibraryVersion(), build: build)
    }

    /// RocksDB's C API has no version call, so the version is read from the name of the library file mapped into
    /// this process (`librocksdb.so.7.8` resolves to `librocksdb.so.7.8.3`), or nil where that fails.
    static func rocksdbLibraryVersion() -> String? {
        // Read to the end: /proc files report a size of 0, and a sized read may stop short.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile(),
            case let maps = String(decoding: data, as: UTF8.self),
            let line = maps.split(separator: "\n").first(where: { $0.contains("/librocksdb.so") }),
            let slash = line.firstIndex(of: "/")
        else { return nil }
        let file = URL(fileURLWithPath: String(line[slash...])).resolvingSymlinksInPath().lastPathComponent
        let prefix = "librocksdb.so."
        guard file.hasPrefix(prefix), file.count > prefix.count else { return nil }
        return "RocksDB " + file.dropFirst(prefix.count)
    }

    public var summary: String {
        "\(cpu), \(cores) cores, \(memoryBytes >> 30) GiB, \(kernel); \(lmdbVersion); \(leveldbVersion); "
            + (rocksdbVersion.map { "\($0); " } ?? "") + "\(build) build"
    }
}
