/// Timers a node asks its shell to start, one case per state machine that owns them; the shell calls `onTimer`
/// when one fires.
public enum TimerID: Hashable, Sendable, CustomStringConvertible {
    case coordinator(Coordinator.Timer)
    case hints(Hints.Timer)

    /// The state machine's own timer, as logs and the simulator's trace print it (`replicaTimeout(n1/s1#3)`).
    public var description: String {
        switch self {
        case .coordinator(let timer): "\(timer)"
        case .hints(let timer): "\(timer)"
        }
    }
}
