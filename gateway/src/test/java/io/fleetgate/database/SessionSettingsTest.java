package io.fleetgate.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

/** What every connection of the pool is set up with, whatever the server's defaults. */
class SessionSettingsTest extends GatewayTest {

    @Autowired
    DatabaseClient database;

    @Test
    void statementsAreNeverJitCompiled() {
        assertThat(database.sql("SHOW jit").map((row, meta) -> row.get(0, String.class)).one().block(Duration.ofSeconds(10)))
                .isEqualTo("off");
    }

    @Test
    void statementsStartNoParallelWorkers() {
        assertThat(database.sql("SHOW max_parallel_workers_per_gather").map((row, meta) -> row.get(0, String.class)).one()
                .block(Duration.ofSeconds(10)))
                .isEqualTo("0");
    }
}
