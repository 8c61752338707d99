package io.fleetgate.platform;

import io.fleetgate.net.OutboundPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * First-boot settings: the first platform admin's password (FLEETGATE_ADMIN_PASSWORD) and the
 * SaaS sync service (FLEETGATE_PLATFORM_SYNC_*). Empty secrets are generated and printed once.
 */
@ConfigurationProperties("fleetgate.platform")
public record PlatformProperties(String adminPassword, @DefaultValue Sync sync) {

    /**
     * @param authority       the host name in the gateway's TLS certificate, checked by the in-process
     *                        SaaS sync when gRPC uses TLS
     * @param allowedNetworks the non-public CIDR blocks the SaaS sync may still reach (FLEETGATE_SAAS_ALLOWED_NETWORKS)
     */
    public record Sync(boolean enabled, String token, boolean inProcess,
                       String authority, String allowedNetworks) {

        /** What the SaaS sync may connect to: public addresses and the allowed blocks. */
        public OutboundPolicy outbound() {
            return OutboundPolicy.publicOnly(OutboundPolicy.parseAllowed(allowedNetworks));
        }

        public boolean hasToken() {
            return token != null && !token.isBlank();
        }
    }

    public boolean hasAdminPassword() {
        return adminPassword != null && !adminPassword.isBlank();
    }
}
