//! Which IP addresses a callback may reach unless the operator allows more:
//! global unicast only. Everything the IANA special-purpose address
//! registries (IPv4 and IPv6) do not mark globally reachable is refused,
//! and so is anything outside the unicast ranges: this machine, the
//! networks behind it, benchmarking and documentation ranges, multicast,
//! reserved space, and the IPv6 forms that carry an IPv4 address which is
//! itself not global.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An IPv4 block: its first address and prefix length.
type V4Block = ([u8; 4], u8);

/// IPv4 blocks that are not global unicast.
const NOT_GLOBAL_V4: [V4Block; 15] = [
    ([0, 0, 0, 0], 8),       // "this network" (Linux treats it as this host)
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared address space (CGNAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local (cloud metadata services)
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
    ([192, 88, 99, 0], 24),  // 6to4 relay anycast (deprecated)
    ([192, 168, 0, 0], 16),  // private
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
    ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved, and the limited broadcast address
];

/// An IPv6 block: its first address's segments and prefix length.
type V6Block = ([u16; 8], u8);

/// Blocks inside 2000::/3 (global unicast) that are not global. (6to4,
/// 2002::/16, is judged by the IPv4 address it wraps.)
const NOT_GLOBAL_V6: [V6Block; 3] = [
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), // IETF protocol assignments: Teredo, ORCHID...
    ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), // documentation
    ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), // documentation
];

/// Whether a callback may not reach `ip` (unless the operator allows it).
pub fn is_not_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_not_global_v4(ip),
        IpAddr::V6(ip) => match embedded_v4(ip) {
            Some(v4) => is_not_global_v4(v4),
            None => is_not_global_v6(ip),
        },
    }
}

fn is_not_global_v4(ip: Ipv4Addr) -> bool {
    let ip = u32::from(ip);
    NOT_GLOBAL_V4.iter().any(|&(first, length)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(length)).unwrap_or(0);
        ip & mask == u32::from_be_bytes(first)
    })
}

/// Only 2000::/3 is global unicast, less the special-purpose blocks in it;
/// the rest (loopback, link-local, unique-local, site-local, multicast,
/// discard-only, local-use NAT64, unassigned) is not.
fn is_not_global_v6(ip: Ipv6Addr) -> bool {
    let ip = u128::from(ip);
    let within = |first: u128, length: u8| {
        let mask = u128::MAX.checked_shl(128 - u32::from(length)).unwrap_or(0);
        ip & mask == first
    };
    let global_unicast = within(0x2000 << 112, 3);
    !global_unicast
        || NOT_GLOBAL_V6
            .iter()
            .any(|&(first, length)| within(u128::from(Ipv6Addr::from(first)), length))
}

/// The IPv4 address in an IPv4-mapped (`::ffff:a.b.c.d`), NAT64
/// (`64:ff9b::a.b.c.d`) or 6to4 (`2002:aabb:ccdd::`) address: connecting
/// to one may reach that IPv4 address. Other IPv6 addresses (the deprecated
/// IPv4-compatible `::a.b.c.d` among them) are left to the IPv6 rules.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let segments = ip.segments();
    let [.., a, b, c, d] = ip.octets();
    if segments[..6] == [0, 0, 0, 0, 0, 0xffff] || segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    if segments[0] == 0x2002 {
        let [_, _, a, b, c, d, ..] = ip.octets();
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(address: &str) -> bool {
        is_not_global(address.parse().expect("an IP address"))
    }

    #[test]
    fn ipv4_special_purpose_ranges_are_refused_at_their_edges() {
        for address in [
            "127.0.0.1",
            "127.255.255.255",
            "10.0.0.0",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "192.168.255.255",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.0",
            "100.127.255.255",
            "255.255.255.255",
            "192.0.0.0",
            "192.0.0.255",
            "192.0.2.1",
            "192.88.99.1",
            "198.18.0.0",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.255",
            "240.0.0.1",
            "254.255.255.255",
        ] {
            assert!(refused(address), "{address}");
        }
    }

    #[test]
    fn public_ipv4_addresses_next_to_special_ranges_are_allowed() {
        for address in [
            "8.8.8.8",
            "1.1.1.1",
            "9.255.255.255",
            "11.0.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.167.255.255",
            "192.169.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "192.0.1.0",
            "192.0.3.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
        ] {
            assert!(!refused(address), "{address}");
        }
    }

    #[test]
    fn ipv6_outside_global_unicast_or_special_inside_it_is_refused() {
        for address in [
            "::1",
            "::",
            "fe80::1",
            "febf:ffff::1",
            "fc00::1",
            "fd12:3456::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "100::1",
            "64:ff9b:1::1",
            "2001::1",
            "2001:db8::1",
            "2001:1ff:ffff::1",
            "3fff::1",
            "::127.0.0.1",
            "::8.8.8.8",
        ] {
            assert!(refused(address), "{address}");
        }
    }

    #[test]
    fn global_ipv6_addresses_are_allowed() {
        for address in [
            "2001:4860:4860::8888",
            "2606:4700::1111",
            "2001:200::1",
            "2a00:1450::1",
        ] {
            assert!(!refused(address), "{address}");
        }
    }

    #[test]
    fn ipv6_forms_of_refused_ipv4_addresses_are_refused() {
        for address in [
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::ffff:100.64.0.1",
            "::ffff:0.0.0.0",
            "::ffff:198.18.0.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "2002:c0a8:0101::1",
            "2002:a9fe:a9fe::",
        ] {
            assert!(refused(address), "{address}");
        }
    }

    #[test]
    fn ipv6_forms_of_public_ipv4_addresses_are_allowed() {
        for address in ["::ffff:8.8.8.8", "64:ff9b::1.1.1.1", "2002:808:808::1"] {
            assert!(!refused(address), "{address}");
        }
    }
}
