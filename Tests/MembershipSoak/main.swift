import CairnSimulator
import Foundation

/// `membership-soak --first 1 --count 1000 [--reports 3]`: runs a window of membership seeds (the same runs as
/// `MembershipSeedTests.membershipSeeds`, built in release so a 10,000-seed soak fits in well under an hour),
/// prints one line per failing seed and the failures counted by class, and exits 1 if any seed failed.
/// `Tests/MembershipSoak/soak.sh` runs several windows in parallel processes.

/// The command line, checked: every option needs a positive number; anything else is a one-line error.
struct SoakArguments {
    var first: UInt64 = 1
    var count = 100
    /// Failing seeds whose whole report (failures and trace tail) is printed.
    var reports = 3

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let text = rest.popFirst(), let value = UInt64(text), value > 0 || flag == "--reports" else {
                throw SoakError("\(flag) needs a positive number (usage: membership-soak --first N --count N [--reports N])")
            }
            switch flag {
            case "--first": first = value
            case "--count" where value <= 1_000_000: count = Int(value)
            case "--reports" where value <= 1_000: reports = Int(value)
            default: throw SoakError("unknown option or value out of range: \(flag) \(text) (--count ≤ 1000000, --reports ≤ 1000)")
            }
        }
        guard first <= UInt64.max - UInt64(count) else { throw SoakError("--first \(first) + --count \(count) is past the last seed (\(UInt64.max))") }
    }
}

struct SoakError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

do {
    let arguments = try SoakArguments(Array(CommandLine.arguments.dropFirst()))
    let started = Date()
    var failedSeeds: [UInt64] = []
    var failuresByClass: [String: Int] = [:]
    for seed in arguments.first..<(arguments.first + UInt64(arguments.count)) {
        let (report, simulation) = runMembershipSeed(MembershipOptions.forSeed(seed))
        guard let report else { continue }
        failedSeeds.append(seed)
        let classes = Set(simulation.failureLines.map(failureClass))
        for kind in classes { failuresByClass[kind, default: 0] += 1 }
        print("seed \(seed) failed: \(simulation.failureLines.first ?? "?")")
        if failedSeeds.count <= arguments.reports { print(report) }
        fflush(nil)
    }
    let seconds = Date().timeIntervalSince(started)
    print("membership seeds \(arguments.first)..<\(arguments.first + UInt64(arguments.count)): \(failedSeeds.count) failed in "
        + String(format: "%.1f s", seconds) + (failedSeeds.isEmpty ? "" : " — seeds \(failedSeeds)"))
    for (kind, seeds) in failuresByClass.sorted(by: { $0.key < $1.key }) { print("  \(seeds) seeds: \(kind)") }
    exit(failedSeeds.isEmpty ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("membership-soak: \(error)\n".utf8))
    exit(2)
}

/// A failure's class: the words before its first colon ("lost write", "holders", "run stopped" …).
func failureClass(_ line: String) -> String {
    let head = line.prefix { $0 != ":" }
    if line.hasPrefix("run stopped"), line.contains("quiescence") { return "run stopped: never quiet" }
    if line.hasPrefix("run stopped") { return "run stopped: \(line.dropFirst(head.count + 2).prefix(40))" }
    if line.contains(" sent itself ") { return "sent itself" }
    return String(head)
}
