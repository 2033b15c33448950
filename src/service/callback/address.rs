//! Which IP addresses a callback may not reach unless the operator allows
//! it: those of this machine and of the networks behind it, where a POST
//! from the judge could reach an internal service.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Loopback, private, link-local, unique-local, unspecified (all of
/// 0.0.0.0/8, which Linux treats as this host), CGNAT, broadcast, and the
/// IPv6 forms that carry such an IPv4 address.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_private_v4(ip),
        IpAddr::V6(ip) => match embedded_v4(ip) {
            Some(v4) => is_private_v4(v4),
            None => is_private_v6(ip),
        },
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let [first, second, ..] = ip.octets();
    let this_network = first == 0;
    let cgnat = first == 100 && (second & 0b1100_0000) == 64;
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || this_network
        || cgnat
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let link_local = (first & 0xffc0) == 0xfe80;
    let unique_local = (first & 0xfe00) == 0xfc00;
    ip.is_loopback() || ip.is_unspecified() || link_local || unique_local
}

/// The IPv4 address in an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) address: connecting to one
/// may reach that IPv4 address. `::` and `::1` are left to the IPv6 rules.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if ip.is_loopback() || ip.is_unspecified() {
        return None;
    }
    let segments = ip.segments();
    let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    let [.., a, b, c, d] = ip.octets();
    if nat64 {
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    ip.to_ipv4()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private(address: &str) -> bool {
        is_private(address.parse().expect("an IP address"))
    }

    #[test]
    fn private_ipv4_ranges_are_refused_at_their_edges() {
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
        ] {
            assert!(private(address), "{address}");
        }
    }

    #[test]
    fn public_ipv4_addresses_next_to_private_ranges_are_allowed() {
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
        ] {
            assert!(!private(address), "{address}");
        }
    }

    #[test]
    fn private_ipv6_ranges_are_refused() {
        for address in [
            "::1",
            "::",
            "fe80::1",
            "febf:ffff::1",
            "fc00::1",
            "fd12:3456::1",
        ] {
            assert!(private(address), "{address}");
        }
    }

    #[test]
    fn public_ipv6_addresses_are_allowed() {
        for address in [
            "2001:4860:4860::8888",
            "2606:4700::1111",
            "fec0::1",
            "fbff::1",
        ] {
            assert!(!private(address), "{address}");
        }
    }

    #[test]
    fn ipv6_forms_of_private_ipv4_addresses_are_refused() {
        for address in [
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::ffff:100.64.0.1",
            "::ffff:0.0.0.0",
            "::127.0.0.1",
            "::192.168.1.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b::7f00:1",
        ] {
            assert!(private(address), "{address}");
        }
    }

    #[test]
    fn ipv6_forms_of_public_ipv4_addresses_are_allowed() {
        for address in ["::ffff:8.8.8.8", "64:ff9b::1.1.1.1"] {
            assert!(!private(address), "{address}");
        }
    }
}
