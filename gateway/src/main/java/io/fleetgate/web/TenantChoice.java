package io.fleetgate.web;

import io.fleetgate.error.GatewayException;
import io.fleetgate.tenant.Tenant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Which tenant a page shows: the one asked for, if the user may see it; else the first customer tenant. */
final class TenantChoice {

    private TenantChoice() {
    }

    static @Nullable Tenant choose(List<Tenant> visible, @Nullable UUID wanted) {
        if (wanted != null) {
            return visible.stream().filter(t -> t.id().equals(wanted)).findFirst()
                    .orElseThrow(() -> GatewayException.notFound("no tenant " + wanted));
        }
        return visible.stream().filter(t -> !t.isPlatform()).findFirst().orElse(visible.isEmpty() ? null : visible.get(0));
    }
}
