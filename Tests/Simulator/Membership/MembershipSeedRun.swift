import Foundation

/// Runs one membership seed; the report is nil when it passes, else the seed, its replay command, the failures
/// and the trace's tail.
public func runMembershipSeed(_ options: MembershipOptions) -> (report: String?, simulation: MembershipSimulation) {
    let simulation = MembershipSimulation(options)
    let failures: [String]
    do {
        failures = try simulation.run()
    } catch {
        failures = ["run stopped: \(error)"]
    }
    simulation.failureLines = failures
    guard !failures.isEmpty else { return (nil, simulation) }
    return ("""
        membership \(options) failed — replay with \
        CAIRN_SIM_FIRST_SEED=\(options.seed) CAIRN_SIM_MEMBERSHIP_SEEDS=1 swift test --filter membershipSeeds
        \(failures.prefix(20).joined(separator: "\n"))
        last \(simulation.trace.count) trace lines:
        \(simulation.trace.suffix(ProcessInfo.processInfo.environment["CAIRN_SIM_TRACE_ALL"] == "1" ? Int.max : 80).joined(separator: "\n"))
        """, simulation)
}
