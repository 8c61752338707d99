package io.fleetgate.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Text array literals built by {@link SqlArrays#literal} read back by PostgreSQL as the same values. */
class SqlArraysTest {

    private static TestDatabase.Server server;
    private static String database;

    @BeforeAll
    static void database() {
        server = TestDatabase.server();
        database = TestDatabase.createDatabase("fleetgate_arrays");
    }

    private static String[] roundTrip(String[] values) throws Exception {
        try (Connection c = server.connect(database); PreparedStatement select = c.prepareStatement("SELECT ?::text[]")) {
            select.setString(1, SqlArrays.literal(values));
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return (String[]) rs.getArray(1).getArray();
            }
        }
    }

    @Test
    void awkwardValuesSurvive() throws Exception {
        String[] values = {"plain", "", " spaced ", "quote\"d", "back\\slash", "\\\"", "{braces}", "a,b", "NULL", null,
                "null", "tab\there", "line\nbreak", "ünïcödé ✓", "'single'"};
        assertThat(roundTrip(values)).containsExactly(values);
        assertThat(roundTrip(new String[0])).isEmpty();
    }

    @Test
    void randomValuesSurvive() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        String alphabet = "ab\"\\{},; \t\n'NUL\u00e9\u2713";
        for (int round = 0; round < 50; round++) {
            String[] values = new String[random.nextInt(1, 20)];
            for (int i = 0; i < values.length; i++) {
                StringBuilder value = new StringBuilder();
                int length = random.nextInt(0, 12);
                for (int k = 0; k < length; k++) {
                    value.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                values[i] = random.nextInt(10) == 0 ? null : value.toString();
            }
            assertThat(roundTrip(values)).containsExactly(values);
        }
    }
}
