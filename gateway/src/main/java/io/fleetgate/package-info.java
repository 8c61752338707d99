/**
 * The entry point ({@link io.fleetgate.Fleetgate}: gateway, agent or sync) and the Spring Boot
 * application. The plan of the packages below is drawn in docs/architecture.md and kept by
 * ArchitectureTest.
 */
@NullMarked
package io.fleetgate;

import org.jspecify.annotations.NullMarked;
