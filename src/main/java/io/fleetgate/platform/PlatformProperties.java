package io.fleetgate.platform;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * First-boot settings: the first platform admin's password (FLEETGATE_ADMIN_PASSWORD) and the
 * SaaS sync service (FLEETGATE_PLATFORM_SYNC_*). Empty secrets are generated and printed once.
 */
@ConfigurationProperties("fleetgate.platform")
public record PlatformProperties(String adminPassword, @DefaultValue Sync sync) {

    /**
     * @param authority the host name in the gateway's TLS certificate, checked by the in-process
     *                  SaaS sync when gRPC uses TLS
     */
    public record Sync(@DefaultValue("true") boolean enabled, String token, @DefaultValue("true") boolean inProcess,
                       @DefaultValue("localhost") String authority) {

        public boolean hasToken() {
            return token != null && !token.isBlank();
        }
    }

    public boolean hasAdminPassword() {
        return adminPassword != null && !adminPassword.isBlank();
    }
}
