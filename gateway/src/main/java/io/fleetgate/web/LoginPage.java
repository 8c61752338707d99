package io.fleetgate.web;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.server.ServerWebExchange;

/** The sign-in page (Spring Security handles the POST), and where "/" leads. */
@Controller
class LoginPage {

    /** {@code ?error} after a wrong password, {@code ?logout} after signing out: only then a banner. */
    @GetMapping("/login")
    String login(ServerWebExchange exchange, Model model) {
        var query = exchange.getRequest().getQueryParams();
        model.addAttribute("failed", query.containsKey("error"));
        model.addAttribute("signedOut", query.containsKey("logout"));
        return "login";
    }

    @GetMapping("/")
    String home() {
        return "redirect:/integrations";
    }
}
