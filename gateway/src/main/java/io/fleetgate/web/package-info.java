/**
 * The UI (Thymeleaf pages, live status over server-sent events) and what every HTTP answer
 * shares: problem details for the REST API ({@link io.fleetgate.web.ApiExceptionHandler}), error
 * pages for the UI.
 */
@NullMarked
package io.fleetgate.web;

import org.jspecify.annotations.NullMarked;
