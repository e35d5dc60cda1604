#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnStorage
import Foundation

/// Checks the paths given on the command line before any work starts, so a bad one costs a one-line error at
/// once rather than a crash, a write under `/`, or results lost at the end of a long run.
enum PathArguments {
    /// A path that is not empty, not blank, and has no control characters or surrounding whitespace.
    static func checkText(_ path: String, option: String) throws(RuntimeError) {
        if path.isEmpty { throw RuntimeError("\(option) is empty: give a path") }
        if path.allSatisfy(\.isWhitespace) { throw RuntimeError("\(option) is blank: give a path") }
        if path.first!.isWhitespace || path.last!.isWhitespace {
            throw RuntimeError("\(option) '\(path)' starts or ends with whitespace")
        }
        if path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw RuntimeError("\(option) contains a control character (a newline or tab)")
        }
    }

    /// A directory to hold data: created (with its parents) when missing; it must be a readable, writable directory.
    static func prepareDirectory(_ path: String, option: String) throws(RuntimeError) {
        try checkText(path, option: option)
        do {
            try DirectoryCheck.prepare(path)
        } catch {
            throw RuntimeError("\(option): \(error)")
        }
    }

    /// Refuses two output files at one path (the last written would replace the other: a chart over the JSON
    /// results), and an output at the path of an input (`bench report --chart run.json` would replace the run).
    static func checkDistinct(outputs: [(option: String, path: String)], inputs: [(option: String, path: String)] = [])
        throws(RuntimeError)
    {
        var seen: [String: String] = [:]
        for (option, path) in inputs { seen[resolved(path)] = "the input \(option) \(path)" }
        for (option, path) in outputs {
            if let earlier = seen[resolved(path)] {
                throw RuntimeError("\(option) \(path) is the same file as \(earlier): give each output its own file")
            }
            seen[resolved(path)] = "\(option) \(path)"
        }
    }

    /// `path` made absolute, with `.`, `..` and symbolic links resolved, so two spellings of one file compare equal.
    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// A file to be written at the end of a run: not a directory, in an existing, writable directory.
    static func checkOutputFile(_ path: String, option: String) throws(RuntimeError) {
        try checkText(path, option: option)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw RuntimeError("\(option) \(path) is a directory: give a file path")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) else {
            throw RuntimeError("\(option) \(path): directory \(parent) does not exist")
        }
        guard isDirectory.boolValue else { throw RuntimeError("\(option) \(path): \(parent) is not a directory") }
        guard FileManager.default.isWritableFile(atPath: parent) else {
            throw RuntimeError("\(option) \(path): directory \(parent) is not writable")
        }
        // Permission bits say little to root or on /proc: create (and remove) a probe file of our own, as the
        // atomic write at the end will.
        let probe = parent + "/.cairn-write-check-\(UUID().uuidString.prefix(8))"
        let handle = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard handle >= 0 else {
            throw RuntimeError("\(option) \(path): cannot create files in \(parent): \(DirectoryCheck.errnoText(errno))")
        }
        close(handle)
        unlink(probe)
    }
}
