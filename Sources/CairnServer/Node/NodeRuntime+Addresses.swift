import CairnCore
import CairnWire
import NIOCore

/// How peers learn where each other listen: each node sends its address book to every peer it knows, at start and
/// every `addressBookIntervalMilliseconds`; a node never takes another's word for its own address.
extension NodeRuntime {
    /// Remembers where `node` listens (a new address takes effect at its next connect).
    func learn(_ node: NodeID, _ address: PeerAddress) {
        guard node != settings.name else { return }
        let changed = addresses.withLockedValue { known in
            guard known[node] != address, known.count < PeerAddressBook.entriesMax || known[node] != nil else { return false }
            known[node] = address
            return true
        }
        if changed {
            transport.setAddress(of: node, address)
            logger.info("peer \(node) listens on \(address)")
        }
    }

    /// Sends the address book to every known peer, then again after the interval, until the transport shuts down.
    func sendAddressBook() {
        let known = addresses.withLockedValue { $0 }
        let own = known[settings.name]!
        let book = PeerAddressBook(
            entries: [.init(node: settings.name, host: own.host, port: own.port)]
                + known.filter { $0.key != settings.name }.sorted { $0.key.name < $1.key.name }.map {
                    .init(node: $0.key, host: $0.value.host, port: $0.value.port)
                })
        let payload = book.encode()
        var stopped = false
        for peer in known.keys where peer != settings.name {
            if case .refused(.shutDown) = transport.send(to: peer, payload: payload) { stopped = true }
        }
        guard !stopped else { return }
        group.next().scheduleTask(in: .milliseconds(Int64(settings.addressBookIntervalMilliseconds))) { [weak self] in
            self?.sendAddressBook()
        }
    }
}
