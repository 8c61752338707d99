/**
 * Tenants, their users and agent enrollment tokens, SaaS quotas: REST controllers, {@link
 * io.fleetgate.tenant.TenantService} and the repositories.
 */
@NullMarked
package io.fleetgate.tenant;

import org.jspecify.annotations.NullMarked;
