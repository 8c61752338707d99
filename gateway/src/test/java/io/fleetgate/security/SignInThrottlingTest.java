package io.fleetgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import io.fleetgate.test.MutableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;

/** Brute force over HTTP Basic and the login form meets a doubling wait (defaults: 5 free failures per user, 50 per address). */
class SignInThrottlingTest extends GatewayTest {

    @Autowired
    MutableClock clock;

    @Test
    void afterFiveWrongBasicPasswordsTheRightOneWaitsFor429AndRetryAfter() {
        String username = tenantAdmin(createTenant("throttle"));
        for (int i = 0; i < 6; i++) {
            as(username, "wrong-" + i).get().uri("/api/v1/tenants").exchange().expectStatus().isUnauthorized();
        }
        as(username, ADMIN_PASSWORD).get().uri("/api/v1/tenants").exchange()
                .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "1")
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("too many failed sign-ins"));
        clock.advance(Duration.ofSeconds(1));
        as(username, ADMIN_PASSWORD).get().uri("/api/v1/tenants").exchange().expectStatus().isOk();
    }

    @Test
    void theLoginFormIsThrottledForTheSameUserName() {
        String username = tenantAdmin(createTenant("throttle-form"));
        for (int i = 0; i < 6; i++) {
            assertThat(formLogin(username, "wrong-" + i).getStatus()).isEqualTo(HttpStatus.FOUND);
        }
        var throttled = formLogin(username, ADMIN_PASSWORD);
        assertThat(throttled.getStatus()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(throttled.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        // Basic shares the user's count
        as(username, ADMIN_PASSWORD).get().uri("/api/v1/tenants").exchange().expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        clock.advance(Duration.ofSeconds(1));
        var signedIn = formLogin(username, ADMIN_PASSWORD);
        assertThat(signedIn.getStatus()).isEqualTo(HttpStatus.FOUND);
        assertThat(signedIn.getResponseHeaders().getLocation().getPath()).isEqualTo("/");
    }

    @Test
    void oneAddressGuessingManyUserNamesIsThrottledForEveryNameAndOnlyThatAddress() {
        WebTestClient guesser = from("127.0.0.7");
        for (int i = 0; i < 51; i++) {
            String name = "guess-" + UUID.randomUUID();
            guesser.get().uri("/api/v1/tenants").headers(h -> h.setBasicAuth(name, "guess")).exchange().expectStatus().isUnauthorized();
        }
        guesser.get().uri("/api/v1/tenants").headers(h -> h.setBasicAuth("admin", ADMIN_PASSWORD)).exchange()
                .expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        admin().get().uri("/api/v1/tenants").exchange().expectStatus().isOk();
        clock.advance(Duration.ofSeconds(1));
        guesser.get().uri("/api/v1/tenants").headers(h -> h.setBasicAuth("admin", ADMIN_PASSWORD)).exchange().expectStatus().isOk();
    }

    private WebTestClient from(String localAddress) {
        HttpClient client = HttpClient.create().bindAddress(() -> new InetSocketAddress(localAddress, 0));
        return WebTestClient.bindToServer(new ReactorClientHttpConnector(client)).baseUrl("http://127.0.0.1:" + httpPort)
                .defaultHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_PROBLEM_JSON_VALUE)
                .build();
    }

    private org.springframework.test.web.reactive.server.EntityExchangeResult<Void> formLogin(String username, String password) {
        var login = anonymous().get().uri("/login").exchange().expectStatus().isOk().expectBody(String.class).returnResult();
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login.getResponseBody());
        assertThat(token.find()).isTrue();
        ResponseCookie session = login.getResponseCookies().getFirst("SESSION");
        return anonymous().post().uri("/login").cookie("SESSION", session.getValue())
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("username=" + username + "&password=" + password + "&_csrf=" + token.group(1))
                .exchange().expectBody(Void.class).returnResult();
    }
}
