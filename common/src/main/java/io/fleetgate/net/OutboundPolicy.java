package io.fleetgate.net;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses a connection made on a tenant's behalf may reach. The SaaS sync runs endpoints
 * tenants typed, inside the operator's network: there, loopback, link-local (cloud metadata),
 * private, shared, unique-local and other special-purpose ranges are refused unless the operator
 * allows a range ({@code FLEETGATE_SAAS_ALLOWED_NETWORKS}). An on-prem sync service reaches
 * anything: its network is its owner's.
 */
public record OutboundPolicy(boolean restricted, List<Cidr> allowed) {

    private record Range(Cidr cidr, String kind) {
    }

    private static final List<Range> SPECIAL = List.of(
            range("0.0.0.0/8", "a 'this network' address"),
            range("10.0.0.0/8", "a private address"),
            range("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
            range("127.0.0.0/8", "a loopback address"),
            range("169.254.0.0/16", "a link-local address"),
            range("172.16.0.0/12", "a private address"),
            range("192.0.0.0/24", "an IETF protocol address"),
            range("192.168.0.0/16", "a private address"),
            range("198.18.0.0/15", "a benchmarking address"),
            range("224.0.0.0/4", "a multicast address"),
            range("240.0.0.0/4", "a reserved address"),
            range("::/128", "the unspecified address"),
            range("::1/128", "a loopback address"),
            range("64:ff9b::/96", "a NAT64 address"),
            range("fc00::/7", "a unique-local address"),
            range("fe80::/10", "a link-local address"),
            range("ff00::/8", "a multicast address"));

    public OutboundPolicy {
        allowed = List.copyOf(allowed);
    }

    /** No restriction (on-prem sync services, the agent). */
    public static OutboundPolicy anywhere() {
        return new OutboundPolicy(false, List.of());
    }

    /** Public addresses only, plus the blocks the operator allows. */
    public static OutboundPolicy publicOnly(List<Cidr> allowed) {
        return new OutboundPolicy(true, allowed);
    }

    /** Parses FLEETGATE_SAAS_ALLOWED_NETWORKS: comma-separated CIDR blocks, or empty. */
    public static List<Cidr> parseAllowed(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return List.of(text.split(",")).stream().map(String::trim).filter(block -> !block.isEmpty()).map(Cidr::parse).toList();
    }

    /** Why the address may not be reached, or empty when it may. */
    public Optional<String> refusal(IpAddress address) {
        if (!restricted || allowed.stream().anyMatch(block -> block.contains(address))) {
            return Optional.empty();
        }
        return SPECIAL.stream().filter(range -> range.cidr().contains(address)).findFirst().map(Range::kind);
    }

    public Optional<String> refusal(InetAddress address) {
        return refusal(IpAddress.parse(address.getHostAddress().replaceFirst("%.*$", "")));
    }

    private static Range range(String block, String kind) {
        return new Range(Cidr.parse(block), kind);
    }
}
