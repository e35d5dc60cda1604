#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Drops an engine's files from the kernel's page cache, so the reads that follow go to the disk: the only way a
/// machine with more memory than data can measure reads that miss every cache. Reads files, never changes them.
enum PageCache {
    /// Flushes and evicts every regular file directly in `directory` (`posix_fadvise` DONTNEED); returns how many
    /// files it evicted. Pages some process still maps (an open LMDB environment) stay, so close the engine first.
    @discardableResult
    static func evict(directory: String) -> Int {
        precondition(!directory.isEmpty, "a directory path is never empty")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var evicted = 0
        for name in names.sorted() {
            let path = directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { continue }
            // Dirty pages cannot be dropped: write them first.
            _ = fdatasync(descriptor)
            if posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED) == 0 { evicted += 1 }
            close(descriptor)
        }
        return evicted
    }

    /// How many of the file's pages are in the page cache now, or nil where it cannot tell (`mincore`).
    static func residentPages(_ path: String) -> Int? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 0 else { return 0 }
        let length = Int(info.st_size)
        guard let mapping = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0), mapping != MAP_FAILED else { return nil }
        defer { munmap(mapping, length) }
        let pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vector = [UInt8](repeating: 0, count: (length + pageBytes - 1) / pageBytes)
        guard mincore(mapping, length, &vector) == 0 else { return nil }
        return vector.filter { $0 & 1 != 0 }.count
    }
}
