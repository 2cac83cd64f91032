import CLibSSH

extension ReactorSession {
    /// Registers a channel and opens it as soon as a channel slot is free.
    func openChannel(id: UInt64, core: ChannelCore, request: ChannelRequest,
                     completion: @escaping (Result<Void, SSHError>) -> Void) {
        guard phase == .established, !retiring else {
            let error = shared.failure ?? .sessionClosed(target.endpoint)
            core.stdin.fail(error)
            core.output.finish(throwing: error)
            core.complete(error: error)
            shared.releaseChannels(1, now: options.timeSource.now)
            completion(.failure(error))
            return
        }
        let deadline = Monotonic.now() + options.channelOpenTimeout
        let channel = ReactorChannel(id: id, session: self, core: core, request: request, deadline: deadline,
                                     completion: completion)
        channels[id] = channel
        waitingForSlot.append(channel)
        loop.schedule(at: deadline)
        startWaitingChannels()
    }

    /// Opens waiting channels while slots are free.
    func startWaitingChannels() {
        slotFreed = false
        let limit = min(max(1, options.maxChannels), serverChannelLimit ?? .max)
        while slotsInUse < limit, let session = raw, phase == .established,
              let channel = waitingForSlot.popFirst() {
            guard channel.state == .queued else { continue }
            slotsInUse += 1
            channel.begin(on: session)
        }
    }

    /// Called by a channel when it gives up its libssh channel. A channel the server refused
    /// caps the slots at the channels still open until one of them ends.
    func channelReleasedSlot(_ channel: ReactorChannel, refused: Bool) {
        slotsInUse -= 1
        if refused {
            serverChannelLimit = max(1, slotsInUse)
        } else {
            serverChannelLimit = nil
            slotFreed = true
            lastSlotRelease = Monotonic.now()
            markChannelDirty(channel.id)
        }
    }

    /// True when one of our channels gave its slot back within the last two seconds, so a
    /// refusal may only mean the server has not processed that channel's CLOSE yet.
    func releasedSlotRecently(now: Double) -> Bool {
        guard let lastSlotRelease else { return false }
        return now - lastSlotRelease < 2
    }

    /// Opens waiting channels again at `time` (after a refusal with no channel of ours open).
    func retryWaitingChannels(at time: Double) {
        retryWaitingAt = min(retryWaitingAt ?? time, time)
        loop.schedule(at: time)
    }

    /// Puts a refused channel back at the head of the queue.
    func requeue(_ channel: ReactorChannel) {
        waitingForSlot.prepend(channel)
    }

    /// Asks the loop to service `channelID` after the current poll.
    func markChannelDirty(_ channelID: UInt64) {
        dirtyChannels.insert(channelID)
        loop.markDirty(id)
    }

    /// Opening steps, blocked writes, finished channels and freed slots.
    func serviceChannels() {
        for channel in Array(channels.values) where channel.isOpening {
            channel.advanceOpen()
        }
        for channel in Array(channels.values) where channel.writeBlocked {
            channel.flushStdin()
        }
        let dirty = dirtyChannels
        dirtyChannels = []
        var ended = 0
        for channelID in dirty {
            guard let channel = channels[channelID] else { continue }
            channel.checkFinished()
            if channel.state == .finished {
                channels.removeValue(forKey: channelID)
                ended += 1
            }
        }
        if ended > 0 { shared.releaseChannels(ended, now: options.timeSource.now) }
        if slotFreed { startWaitingChannels() }
    }

    /// Fails channel opens that passed their deadline; returns the earliest pending deadline.
    func expireChannelOpens(now: Double) -> Double? {
        var next: Double?
        if let retry = retryWaitingAt {
            if now >= retry {
                retryWaitingAt = nil
                serverChannelLimit = nil
                startWaitingChannels()
            } else {
                next = retry
            }
        }
        for channel in Array(channels.values) where channel.state == .queued || channel.isOpening {
            if now >= channel.deadline {
                let busy = channel.state == .queued ? " (all \(options.maxChannels) channel slots stayed busy)" : ""
                channel.fail(.timedOut("opening a channel on \(target.endpoint)\(busy)", after: options.channelOpenTimeout))
                markChannelDirty(channel.id)
            } else {
                next = min(next ?? channel.deadline, channel.deadline)
            }
        }
        return next
    }

    /// Runs `body` on a live channel, then services it.
    func withChannel(_ channelID: UInt64, _ body: (ReactorChannel) -> Void) {
        guard let channel = channels[channelID] else { return }
        body(channel)
        if channel.state == .finished { markChannelDirty(channelID) }
    }

    /// Stops accepting channels and closes once the last one has ended.
    func retire() {
        retiring = true
        loop.markDirty(id)
    }
}
