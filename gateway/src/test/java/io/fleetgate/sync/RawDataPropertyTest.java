package io.fleetgate.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.fleetgate.proto.DiscoveredDevice;
import io.fleetgate.test.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.springframework.util.unit.DataSize;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The raw_data check against PostgreSQL's own verdict: whatever the validator accepts, jsonb
 * stores; and a JSON object jsonb stores is refused only by a rule of ours (nesting, NUL).
 */
class RawDataPropertyTest {

    private static final DeviceValidator VALIDATOR = new DeviceValidator(new IngestProperties(64, 8, java.time.Duration.ofMinutes(5), DataSize.ofKilobytes(64), 256, 64, 1024, java.time.Duration.ofMinutes(1), 50));
    private static Connection database;

    @BeforeContainer
    static void connect() throws SQLException {
        database = TestDatabase.server().connect(TestDatabase.createDatabase("fleetgate_jsonb"));
    }

    @AfterContainer
    static void disconnect() throws SQLException {
        database.close();
    }

    @Provide
    Arbitrary<byte[]> records() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.randomValue(AdversarialJson::next)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().all().ofMaxLength(40).map(s -> ("{\"k\":\"" + s + "\"}").getBytes(StandardCharsets.UTF_8))),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(40)));
    }

    @Property(tries = 3000)
    void whatTheValidatorAcceptsJsonbStores(@ForAll("records") byte[] raw) {
        boolean accepted = VALIDATOR.validate(device(raw), "faker") instanceof DeviceValidator.Accepted;
        Statistics.collect(accepted ? "accepted" : "refused");
        if (accepted) {
            // no raw_data at all is stored as {}
            assertThat(jsonbVerdict(raw.length == 0 ? "{}" : new String(raw, StandardCharsets.UTF_8)))
                    .as("jsonb refused what the validator accepted: %s", new String(raw, StandardCharsets.UTF_8))
                    .isNull();
        }
    }

    private static final java.util.regex.Pattern EXPONENT_AT_THE_LIMIT = java.util.regex.Pattern.compile("[eE]\\+?0*1073741823(?![0-9])");

    @Property(tries = 3000)
    void anObjectJsonbStoresIsRefusedOnlyByOurOwnRules(@ForAll("records") byte[] raw) {
        if (!ByteString.copyFrom(raw).isValidUtf8()) {
            return;
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        if (jsonbVerdict(text) != null || !isObject(text) || depth(text) > RawData.MAX_DEPTH) {
            return;
        }
        if (EXPONENT_AT_THE_LIMIT.matcher(text).find()) {
            // PostgreSQL 16 stores a zero with exponent INT_MAX / 2, 15 refuses it; we refuse it on both
            return;
        }
        assertThat(VALIDATOR.validate(device(raw), "faker")).as("refused though jsonb stores it: %s", text)
                .isInstanceOf(DeviceValidator.Accepted.class);
    }

    private static DiscoveredDevice device(byte[] raw) {
        return DiscoveredDevice.newBuilder().setDeviceId("d").addIpAddresses("127.0.0.1").setRawData(ByteString.copyFrom(raw)).build();
    }

    /** PostgreSQL's error for the text as jsonb, or null when it stores it. */
    private static String jsonbVerdict(String text) {
        try (PreparedStatement statement = database.prepareStatement("SELECT ?::jsonb IS NOT NULL")) {
            statement.setString(1, text);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return null;
            }
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    private static boolean isObject(String text) {
        try (PreparedStatement statement = database.prepareStatement("SELECT jsonb_typeof(?::jsonb)")) {
            statement.setString(1, text);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return "object".equals(rows.getString(1));
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private static int depth(String text) {
        int depth = 0;
        int deepest = 0;
        try (JsonParser parser = JsonMapper.shared().createParser(text)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token.isStructStart()) {
                    deepest = Math.max(deepest, ++depth);
                } else if (token.isStructEnd()) {
                    depth--;
                }
            }
        }
        return deepest;
    }
}
