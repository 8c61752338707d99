/**
 * Agents: Hello and GetConfig ({@link io.fleetgate.agent.AgentRpc}), write-behind poll recording,
 * the agent status rule, and the agents REST API.
 */
@NullMarked
package io.fleetgate.agent;

import org.jspecify.annotations.NullMarked;
