package io.fleetgate.database;

import io.r2dbc.spi.Option;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/** Beans every repository shares. */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    /** Time as the gateway sees it; tests swap in a clock they drive. */
    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Every statement of the pool ends within FLEETGATE_DATABASE_STATEMENT_TIMEOUT, on the server
     * (statement_timeout): a hung or overloaded database fails calls with a clear error instead of
     * holding them, and their connections, to the client's deadline.
     */
    @Bean
    ConnectionFactoryOptionsBuilderCustomizer statementTimeout(@Value("${fleetgate.database.statement-timeout:30s}") Duration timeout) {
        return options -> options.option(Option.valueOf("statementTimeout"), timeout);
    }

    /**
     * What every session of the pool runs with, whatever the server's defaults.
     *
     * <p>No JIT compilation: the gateway's statements are short, and PostgreSQL compiles a plan
     * whose estimated cost crosses jit_above_cost, counting branches that never run. A config build
     * at 1,000,000 devices (its unused default-agent branch costed as a scan of them all) spent
     * 109 ms compiling for 10 ms of work, every time.
     *
     * <p>No parallel workers: a statement that scans a table of more than 8 MB is otherwise planned
     * with two worker processes started for it, which on the gateway's machine take the cores its
     * calls run on. The Agents page's {@code liveness=offline} filter at 100,000 agents (a scan of
     * the tenant's rows) ran in 50-70 ms with them and 18 ms without, on an idle machine.
     */
    @Bean
    ConnectionFactoryOptionsBuilderCustomizer sessionSettings() {
        return options -> options.option(Option.valueOf("options"), Map.of("jit", "off", "max_parallel_workers_per_gather", "0"));
    }

    @Bean
    @ConditionalOnMissingBean
    TransactionalOperator transactionalOperator(ReactiveTransactionManager transactionManager) {
        return TransactionalOperator.create(transactionManager);
    }
}
