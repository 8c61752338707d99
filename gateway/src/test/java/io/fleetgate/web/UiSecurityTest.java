package io.fleetgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetgate.test.GatewayTest;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;

/** The UI's doors: sign-in redirects, CSRF on every form, static files open. */
class UiSecurityTest extends GatewayTest {

    @Test
    void pagesNeedASignedInUser() {
        anonymous().get().uri("/integrations").exchange().expectStatus().is3xxRedirection()
                .expectHeader().location("/login");
        anonymous().get().uri("/login").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> org.assertj.core.api.Assertions.assertThat(body).contains("name=\"_csrf\""));
        anonymous().get().uri("/css/fleetgate.css").exchange().expectStatus().isOk();
    }

    @Test
    void aFormPostWithoutItsCsrfTokenIsRefused() {
        anonymous().post().uri("/login").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("username=admin&password=" + ADMIN_PASSWORD)
                .exchange().expectStatus().isForbidden();
        anonymous().post().uri("/integrations").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("name=x").exchange().expectStatus().isForbidden();
    }

    /** Signs in through the login form; returns the session cookie the browser would hold. */
    private ResponseCookie signIn() {
        var login = anonymous().get().uri("/login").exchange().expectStatus().isOk().expectBody(String.class).returnResult();
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login.getResponseBody());
        assertThat(token.find()).isTrue();
        ResponseCookie anonymousSession = login.getResponseCookies().getFirst("SESSION");
        var signedIn = anonymous().post().uri("/login").cookie("SESSION", anonymousSession.getValue())
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("username=admin&password=" + ADMIN_PASSWORD + "&_csrf=" + token.group(1))
                .exchange().expectStatus().is3xxRedirection().returnResult(Void.class);
        return signedIn.getResponseCookies().getFirst("SESSION");
    }

    @Test
    void theSessionCookieIsSameSiteLaxAndHttpOnly() {
        ResponseCookie session = signIn();
        assertThat(session.getSameSite()).isEqualTo("Lax");
        assertThat(session.isHttpOnly()).isTrue();
        anonymous().get().uri("/integrations").cookie("SESSION", session.getValue()).exchange().expectStatus().isOk();
    }

    @Test
    void anAuthorizationHeaderThatIsNotBasicDoesNotExemptASessionRequestFromCsrf() {
        ResponseCookie session = signIn();
        Map<String, String> tenant = Map.of("name", "csrf-probe", "slug", "csrf-probe");
        // a session-authenticated POST with some other Authorization header used to skip the CSRF check
        anonymous().post().uri("/api/v1/tenants").cookie("SESSION", session.getValue())
                .header(HttpHeaders.AUTHORIZATION, "Bearer anything").bodyValue(tenant)
                .exchange().expectStatus().isForbidden();
        assertThat(queryValue("SELECT count(*) FROM tenants WHERE slug = 'csrf-probe'")).isEqualTo(0L);
        // HTTP Basic needs no CSRF token: it carries no session to forge
        admin().post().uri("/api/v1/tenants").bodyValue(tenant).exchange().expectStatus().isCreated();
    }

    @Test
    void pagesCarryAContentSecurityPolicyThatAllowsOnlyTheirOwnOrigin() {
        ResponseCookie session = signIn();
        for (String page : new String[] {"/login", "/integrations", "/infrastructure/sync-services"}) {
            anonymous().get().uri(page).cookie("SESSION", session.getValue()).exchange().expectStatus().isOk()
                    .expectHeader().value("Content-Security-Policy", csp -> assertThat(csp)
                            .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe"));
        }
    }

    @Test
    void theLoginPageSaysWrongPasswordOrSignedOutOnlyWhenItIsSo() {
        String plain = anonymous().get().uri("/login").exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(plain).doesNotContain("Wrong user name or password.", "Signed out.");
        assertThat(anonymous().get().uri("/login?error").exchange().expectBody(String.class).returnResult().getResponseBody())
                .contains("Wrong user name or password.").doesNotContain("Signed out.");
        assertThat(anonymous().get().uri("/login?logout").exchange().expectBody(String.class).returnResult().getResponseBody())
                .contains("Signed out.").doesNotContain("Wrong user name or password.");
    }

    @Test
    void uiErrorsArePagesWithTheirStatusNeverA500OrRawJson() {
        ResponseCookie session = signIn();
        Map<String, Integer> expected = Map.of(
                "/integrations/new", 400,                                     // no ?tenant=
                "/integrations/new?tenant=not-a-uuid", 400,
                "/integrations?tenant=" + java.util.UUID.randomUUID(), 404,
                "/integrations/" + java.util.UUID.randomUUID() + "/edit", 404,
                "/no-such-page", 404);
        expected.forEach((path, status) -> {
            var page = anonymous().get().uri(path).cookie("SESSION", session.getValue()).accept(MediaType.TEXT_HTML).exchange()
                    .expectBody(String.class).returnResult();
            assertThat(page.getStatus().value()).as(path).isEqualTo(status);
            assertThat(page.getResponseHeaders().getContentType().isCompatibleWith(MediaType.TEXT_HTML)).as(path + " is a page").isTrue();
            assertThat(page.getResponseBody()).as(path).contains(status + " · ").contains("Sign out");
        });
        // a form over the codec's 256 KB limit is a page too
        var login = anonymous().get().uri("/integrations/new?tenant=" + queryValue("SELECT id FROM tenants WHERE is_platform"))
                .cookie("SESSION", session.getValue()).exchange().expectBody(String.class).returnResult();
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login.getResponseBody());
        assertThat(token.find()).isTrue();
        var huge = anonymous().post().uri("/integrations").cookie("SESSION", session.getValue()).accept(MediaType.TEXT_HTML)
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("_csrf=" + token.group(1) + "&name=" + "x".repeat(300 * 1024)).exchange()
                .expectBody(String.class).returnResult();
        assertThat(huge.getStatus().value()).isIn(400, 413);
        assertThat(huge.getResponseHeaders().getContentType().isCompatibleWith(MediaType.TEXT_HTML)).isTrue();
        // API clients keep problem details for an unknown path
        admin().get().uri("/api/v1/no-such-thing").exchange().expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }
}
