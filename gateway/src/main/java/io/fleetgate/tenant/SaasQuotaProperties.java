package io.fleetgate.tenant;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the SaaS sync does for one tenant by default (FLEETGATE_SAAS_*): how many sources it runs,
 * how many devices one run of a source may bring, and how often a source may run. A platform admin
 * overrides them per tenant ({@code PUT /api/v1/tenants/{id}/saas-quota}).
 */
@ConfigurationProperties("fleetgate.saas")
public record SaasQuotaProperties(
        int maxSourcesPerTenant,
        int maxDevicesPerRun,
        Duration minPollInterval) {

    SaasQuota defaults() {
        return new SaasQuota(maxSourcesPerTenant, maxDevicesPerRun, (int) minPollInterval.toSeconds());
    }
}
