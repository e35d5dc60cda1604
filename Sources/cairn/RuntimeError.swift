/// A failure while a command runs (an unusable path, an engine that failed): `cairn` prints `error: <message>` on
/// one line and exits 1, without the usage text. Bad usage (an unknown option or name) stays a `ValidationError`,
/// which prints the usage and exits 64.
struct RuntimeError: Error, CustomStringConvertible {
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }

    /// The exit status of a failed run.
    static let exitStatus: Int32 = 1
}
