#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prepares the directories engines and catalogs live in, turning every POSIX failure into a `StorageError`.
public enum DirectoryCheck {
    /// Makes sure `path` is a readable, writable directory, creating it (and its parents) when missing.
    public static func prepare(_ path: String) throws(StorageError) {
        guard !path.isEmpty else { throw .dataDirectoryPathEmpty }
        var info = stat()
        if stat(path, &info) != 0 {
            let missing = errno
            if missing == ENOTDIR { throw .dataDirectoryUnusable(path: path, reason: "a parent is not a directory") }
            guard missing == ENOENT else { throw .dataDirectoryUnusable(path: path, reason: errnoText(missing)) }
            try createWithParents(path)
            return
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .dataDirectoryNotADirectory(path: path) }
        guard let handle = opendir(path) else {
            throw .dataDirectoryUnusable(path: path, reason: "cannot be read: \(errnoText(errno))")
        }
        closedir(handle)
        guard access(path, R_OK | W_OK | X_OK) == 0 else {
            throw .dataDirectoryUnusable(path: path, reason: "no read/write access: \(errnoText(errno))")
        }
    }

    /// Creates `path` as a new, empty directory (its parent must exist), so a caller may later delete it knowing
    /// it holds nothing it did not put there. An existing `path` is refused, never reused.
    public static func createFresh(_ path: String) throws(StorageError) {
        guard !path.isEmpty else { throw .dataDirectoryPathEmpty }
        guard mkdir(path, 0o755) == 0 else {
            let failure = errno
            if failure == EEXIST {
                throw .dataDirectoryUnusable(path: path, reason: "it already exists (a run creates its own directory, so it never deletes what it did not create)")
            }
            throw .dataDirectoryUnusable(path: path, reason: "cannot create it: \(errnoText(failure))")
        }
    }

    /// Whether `path` names an existing regular file.
    public static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Total size in bytes of the regular files directly inside `path` (0 when it cannot be read).
    public static func bytesOnDisk(_ path: String) -> Int {
        guard let handle = opendir(path) else { return 0 }
        defer { closedir(handle) }
        var total = 0
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            var info = stat()
            if stat(path + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
                total += Int(info.st_blocks) * 512
            }
        }
        return total
    }

    /// The text of a POSIX error number.
    public static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    private static func createWithParents(_ path: String) throws(StorageError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 {
                let failure = errno
                var info = stat()
                guard failure == EEXIST, stat(prefix, &info) == 0 else {
                    throw .dataDirectoryUnusable(path: path, reason: "cannot create \(prefix): \(errnoText(failure))")
                }
                guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .dataDirectoryNotADirectory(path: prefix) }
            }
            prefix += "/"
        }
    }
}
