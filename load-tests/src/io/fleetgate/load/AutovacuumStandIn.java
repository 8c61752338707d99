package io.fleetgate.load;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deployment's PostgreSQL runs autovacuum; a benchmark server may not (this machine's has it
 * off). Without it the tables the fleet rewrites bloat without bound and are never analyzed, so
 * plans are made for the empty tables of the start: figures of a server nobody runs. When the
 * server's autovacuum is off, this does what it would with its default settings, on the
 * benchmark's database only: every minute ({@code autovacuum_naptime}), VACUUM each table past
 * 50 + 20 % dead rows or 1,000 + 20 % rows inserted since its last vacuum, and ANALYZE each past
 * 50 + 10 % rows changed since its last analysis,
 * throttled as autovacuum is (a 2 ms pause per 200 units of cost).
 */
final class AutovacuumStandIn implements AutoCloseable {

    private final GatewayUnderTest.Postgres postgres;
    private final String database;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "autovacuum-stand-in");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger vacuums = new AtomicInteger();
    private final AtomicInteger analyzes = new AtomicInteger();
    /** Set at the end of the benchmark: its database is dropped under a vacuum still running, which is no error. */
    private volatile boolean closed;

    private AutovacuumStandIn(GatewayUnderTest.Postgres postgres, String database) {
        this.postgres = postgres;
        this.database = database;
    }

    /** Started when the server's autovacuum is off; null when the server does its own. */
    static AutovacuumStandIn startIfNeeded(GatewayUnderTest.Postgres postgres, String database) throws SQLException {
        try (Connection c = postgres.connect(database); Statement s = c.createStatement(); ResultSet on = s.executeQuery("SHOW autovacuum")) {
            on.next();
            if ("on".equals(on.getString(1))) {
                return null;
            }
        }
        System.out.println("postgres: autovacuum is off on this server; the benchmark vacuums and analyzes its tables as autovacuum's defaults would, every 60 s");
        AutovacuumStandIn standIn = new AutovacuumStandIn(postgres, database);
        standIn.timer.scheduleWithFixedDelay(standIn::round, 60, 60, TimeUnit.SECONDS);
        return standIn;
    }

    private void round() {
        try (Connection c = postgres.connect(database); Statement s = c.createStatement()) {
            s.execute("SET vacuum_cost_delay = '2ms'");
            s.execute("SET vacuum_cost_limit = 200");
            List<String> due = new ArrayList<>();
            try (ResultSet tables = s.executeQuery("""
                    SELECT quote_ident(schemaname) || '.' || quote_ident(relname),
                           n_dead_tup > 50 + 0.2 * n_live_tup OR n_ins_since_vacuum > 1000 + 0.2 * n_live_tup,
                           n_mod_since_analyze > 50 + 0.1 * n_live_tup
                      FROM pg_stat_user_tables""")) {
                while (tables.next()) {
                    boolean vacuum = tables.getBoolean(2);
                    boolean analyze = tables.getBoolean(3);
                    if (vacuum || analyze) {
                        due.add((vacuum ? analyze ? "VACUUM (ANALYZE) " : "VACUUM " : "ANALYZE ") + tables.getString(1));
                    }
                }
            }
            for (String command : due) {
                try {
                    s.execute(command);
                } catch (SQLException e) {
                    if (!"42P01".equals(e.getSQLState())) {
                        throw e;
                    }
                    continue; // dropped since it was listed (a benchmark's scratch table), as autovacuum skips it
                }
                (command.startsWith("VACUUM") ? vacuums : analyzes).incrementAndGet();
            }
        } catch (SQLException e) {
            if (!closed) {
                System.err.println("autovacuum stand-in: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        System.out.printf("postgres: the autovacuum stand-in ran %d vacuums and %d analyses without one%n", vacuums.get(), analyzes.get());
    }
}
