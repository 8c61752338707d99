package io.fleetgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** FLEETGATE_LOG_FORMAT read as users write it, and a clear refusal of anything else. */
class GatewayApplicationTest {

    @Test
    void textIsTheDefaultAndJsonMeansTheElasticCommonSchema() {
        assertThat(GatewayApplication.logFormat(null)).isEmpty();
        assertThat(GatewayApplication.logFormat(" Text ")).isEmpty();
        assertThat(GatewayApplication.logFormat("JSON")).isEqualTo(Map.of("logging.structured.format.console", "ecs"));
        assertThat(GatewayApplication.logFormat("ecs")).isEqualTo(Map.of("logging.structured.format.console", "ecs"));
        assertThat(GatewayApplication.logFormat("logstash")).isEqualTo(Map.of("logging.structured.format.console", "logstash"));
    }

    @Test
    void anUnknownFormatIsNamedInTheRefusal() {
        assertThatThrownBy(() -> GatewayApplication.logFormat("xml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("FLEETGATE_LOG_FORMAT must be text, json (ECS), ecs or logstash, not 'xml'");
    }
}
