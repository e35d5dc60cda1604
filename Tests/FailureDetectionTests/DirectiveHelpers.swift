import CairnCore
import CairnMembership

/// Picks apart a detector's directives, for assertions.
extension Array where Element == FailureDetector.Directive {
    var sends: [(message: FailureDetector.Message, to: NodeID)] {
        compactMap { if case .send(let message, let to) = $0 { (message, to) } else { nil } }
    }

    var timers: [(timer: FailureDetector.Timer, after: UInt64)] {
        compactMap { if case .startTimer(let timer, let after) = $0 { (timer, after) } else { nil } }
    }

    var changes: [FailureDetector.StatusChange] {
        compactMap { if case .statusChanged(let change) = $0 { change } else { nil } }
    }

    var rejections: [FailureDetectionError] {
        compactMap { if case .rejected(let error) = $0 { error } else { nil } }
    }

    /// The one ping sent, with its target and sequence number.
    var ping: (target: NodeID, sequence: UInt64, updates: [FailureDetector.MemberUpdate])? {
        for (message, to) in sends {
            if case .ping(let sequence) = message.kind { return (to, sequence, message.updates) }
        }
        return nil
    }
}

/// A detector for `a` watching `b`, `c` and `d`, started at time 0.
func makeDetector(
    id: NodeID = "a", members: [NodeID] = ["b", "c", "d"], settings: FailureDetector.Settings = FailureDetector.Settings(), seed: UInt64 = 7
) throws -> FailureDetector {
    var detector = try FailureDetector(id: id, members: members, settings: settings, random: SplitMix64(seed: seed))
    _ = detector.start(now: 0)
    return detector
}
