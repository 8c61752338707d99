package io.fleetgate.kv;

import io.fleetgate.sweep.SweepSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * True when FLEETGATE_SWEEP_SOURCE puts configs into the KV store: read by the same binder and
 * enum that {@code SweepProperties} uses, so the two can never disagree on a spelling.
 */
class SweepSourceIncludesKv implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return Binder.get(context.getEnvironment()).bind("fleetgate.sweep.source", SweepSource.class)
                .map(SweepSource::inKv).orElse(false);
    }
}
