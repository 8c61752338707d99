package io.fleetgate.test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A statement's plan as PostgreSQL runs it, in a generic or a custom plan, and what it read in vain. */
public final class Plans {

    private Plans() {
    }

    /**
     * The plan of {@code sql} (its parameters as $1, $2, ... of {@code types}) as it ran with
     * {@code arguments} (SQL literals, since EXPLAIN EXECUTE takes no bind parameters), rolled back
     * after; {@code planMode} is {@code force_generic_plan} or {@code force_custom_plan}.
     */
    public static JsonNode explain(Connection db, String planMode, String sql, String types, String arguments) throws Exception {
        try (Statement statement = db.createStatement()) {
            db.setAutoCommit(false);
            statement.execute("SET LOCAL plan_cache_mode = " + planMode);
            statement.execute("PREPARE planned (" + types + ") AS " + sql);
            try (ResultSet rows = statement.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE planned (" + arguments + ")")) {
                rows.next();
                return JsonMapper.shared().readTree(rows.getString(1)).get(0);
            } finally {
                db.rollback();
            }
        }
    }

    /** Rows a node of the plan, or any below it, read and then discarded by a filter or a recheck. */
    public static long rowsRemoved(JsonNode node) {
        long removed = 0;
        for (var field : node.properties()) {
            if (field.getKey().startsWith("Rows Removed by")) {
                removed += field.getValue().asLong();
            }
        }
        for (JsonNode child : node.path("Plans")) {
            removed += rowsRemoved(child);
        }
        return removed;
    }
}
