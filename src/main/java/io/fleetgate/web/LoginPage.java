package io.fleetgate.web;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The sign-in page (Spring Security handles the POST), and where "/" leads. */
@Controller
class LoginPage {

    @GetMapping("/login")
    String login() {
        return "login";
    }

    @GetMapping("/")
    String home() {
        return "redirect:/integrations";
    }
}
