package io.fleetgate;

import io.fleetgate.database.EmbeddedDatabaseStarter;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/** The gateway: gRPC for agents and sync services, HTTP for the UI, REST and operations. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static ConfigurableApplicationContext launch(String... args) {
        SpringApplication application = new SpringApplication(GatewayApplication.class);
        application.addListeners(new EmbeddedDatabaseStarter());
        return application.run(args);
    }
}
