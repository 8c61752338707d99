package io.fleetgate.tenant;

/** The SaaS sync work one tenant may ask for: sources, devices per run of a source, seconds between runs. */
public record SaasQuota(int maxSources, int maxDevicesPerRun, int minPollIntervalSec) {

    /** This quota with a platform admin's overrides (null: keep). */
    SaasQuota with(Integer sources, Integer devices, Integer pollSec) {
        return new SaasQuota(sources == null ? maxSources : sources, devices == null ? maxDevicesPerRun : devices,
                pollSec == null ? minPollIntervalSec : pollSec);
    }
}
