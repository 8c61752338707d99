package io.fleetgate.platform;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.info.GitProperties;
import org.springframework.stereotype.Component;

/**
 * Which build runs: the version and commit the jar was built from (META-INF/build-info.properties
 * and git.properties, the same /actuator/info shows), as {@code fleetgate_build_info{version,commit} 1}
 * and for the UI's footer. A build from a tree without git says commit "unknown".
 */
@Component
public class BuildInfo {

    private final String version;
    private final String commit;

    BuildInfo(ObjectProvider<BuildProperties> build, ObjectProvider<GitProperties> git, MeterRegistry registry) {
        BuildProperties buildProperties = build.getIfAvailable();
        GitProperties gitProperties = git.getIfAvailable();
        this.version = buildProperties == null ? "dev" : buildProperties.getVersion();
        String abbreviated = gitProperties == null ? null : gitProperties.getShortCommitId();
        this.commit = abbreviated == null ? "unknown" : abbreviated;
        Gauge.builder("fleetgate.build.info", () -> 1).description("the version and commit of the running gateway (always 1)")
                .tags("version", version, "commit", commit).strongReference(true).register(registry);
    }

    public String version() {
        return version;
    }

    public String commit() {
        return commit;
    }
}
