#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Stops a child process of `bench engines` whose parent has gone (killed with SIGKILL, which it cannot clean up
/// after), so an orphaned run does not go on loading a shared machine for minutes.
enum ParentWatch {
    /// How often the parent is checked, in seconds.
    static let checkSecondsInterval = 1.0

    /// Starts a thread that ends this process (status 1, one `error:` line) once its parent process has changed.
    static func start() {
        let parent = getppid()
        Thread.detachNewThread {
            while getppid() == parent { usleep(UInt32(checkSecondsInterval * 1_000_000)) }
            FileHandle.standardError.write(Data("error: the parent `cairn bench engines` (pid \(parent)) ended; stopping\n".utf8))
            _exit(RuntimeError.exitStatus)
        }
    }
}
