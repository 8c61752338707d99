package io.fleetgate.test;

import io.fleetgate.GatewayApplication;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts extra gateway instances (replicas) in the test JVM, on random ports. */
public final class Gateways {

    private Gateways() {
    }

    /**
     * The change feed the test gateways use: notify, or outbox when the build's second test run
     * (surefire execution {@code change-feed-outbox}) runs the {@code change-feed} tests again.
     */
    public static String changeFeed() {
        return System.getProperty("fleetgate.test.change-feed", "notify");
    }

    /** A gateway on the given database of the test server, with extra properties. */
    public static ConfigurableApplicationContext start(String database, Map<String, String> properties) {
        TestDatabase.Server server = TestDatabase.server();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("server.port", "0");
        settings.put("fleetgate.grpc.port", "0");
        settings.put("fleetgate.grpc.address", "127.0.0.1");
        settings.put("fleetgate.grpc.shutdown-grace", "1s");
        settings.put("fleetgate.platform.sync.in-process", "false");
        settings.put("fleetgate.credentials.key", GatewayTest.CREDENTIALS_KEY);
        settings.put("fleetgate.database.url", server.url(database));
        settings.put("fleetgate.database.user", server.user());
        settings.put("fleetgate.database.password", server.password());
        settings.put("fleetgate.change-feed", changeFeed());
        settings.putAll(properties);
        List<String> args = new ArrayList<>();
        settings.forEach((key, value) -> args.add("--" + key + "=" + value));
        return new SpringApplicationBuilder(GatewayApplication.class).run(args.toArray(String[]::new));
    }
}
