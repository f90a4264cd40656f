//! Bytes this host's network interfaces have sent and received, from the kernel's counters
//! (`/sys/class/net/<interface>/statistics`), loopback excluded: what crossed the wire to other hosts, headers and
//! every other process's traffic included. Inside a network namespace the counters are the namespace's own. Where
//! they cannot be read nothing is recorded.

pub use crate::platform::InterfaceBytes;

/// The bytes every interface but loopback has sent and received so far; `None` where none can be read (and under
/// the portable platform).
pub fn host_bytes() -> Option<InterfaceBytes> {
    crate::platform::host_interface_bytes()
}

/// What the counters grew by between two readings; `None` unless both were read.
pub fn since(before: Option<InterfaceBytes>, after: Option<InterfaceBytes>) -> Option<InterfaceBytes> {
    let (before, after) = (before?, after?);
    Some(InterfaceBytes {
        sent: after.sent.saturating_sub(before.sent),
        received: after.received.saturating_sub(before.received),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_needs_both_readings_and_never_goes_negative() {
        let at = |sent, received| Some(InterfaceBytes { sent, received });
        assert_eq!(since(at(10, 20), at(15, 29)), at(5, 9));
        assert_eq!(since(at(10, 20), at(5, 29)), at(0, 9), "a counter reset reads as no growth");
        assert_eq!(since(None, at(1, 1)), None);
    }
}
