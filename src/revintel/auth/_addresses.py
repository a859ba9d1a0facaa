"""Client addresses: which proxies may name the client (``X-Forwarded-For``), and loopback."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is reachable from this machine only.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True)
class TrustedProxies:
    """The proxies whose ``X-Forwarded-For`` header names the client.

    Examples
    --------
    >>> proxies = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8")
    >>> proxies.client("127.0.0.1", "203.0.113.7")
    '203.0.113.7'
    >>> proxies.client("127.0.0.1", "198.51.100.1, 203.0.113.7, 10.0.0.5")
    '203.0.113.7'
    >>> proxies.client("192.0.2.1", "203.0.113.7")  # not a trusted proxy: the header is ignored
    '192.0.2.1'
    """

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """Proxies from a comma-separated list of addresses and networks (``10.0.0.0/8``).

        Raises
        ------
        ValueError
            An entry is neither an address nor a network.
        """
        networks = []
        for entry in (e.strip() for e in text.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
                ) from None
        return cls(tuple(networks))

    def trusts(self, host: str | None) -> bool:
        """Whether ``host`` is one of the trusted proxies."""
        found = _address(host) if host else None
        return found is not None and any(found in network for network in self.networks)

    def client(self, peer: str | None, forwarded_for: str | None) -> str | None:
        """The client's address: ``peer`` (the socket's other end), or when ``peer`` is a
        trusted proxy, the last address in ``forwarded_for`` that is not a trusted proxy.

        Each proxy appends the address it was connected from, so the entries left of the last
        untrusted one were written by the client and are ignored.
        """
        if not forwarded_for or not self.trusts(peer):
            return peer
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                found = _address(hop)
                return str(found) if found is not None else peer
        return str(_address(hops[0])) if hops else peer
