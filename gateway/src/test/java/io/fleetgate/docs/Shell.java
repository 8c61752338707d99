package io.fleetgate.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough of sh to read the docs' examples: quotes, $VARIABLES, line continuations, code blocks. */
final class Shell {

    private static final Pattern VARIABLE = Pattern.compile("\\$([A-Z_][A-Z0-9_]*)");
    private static final Pattern BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);

    private Shell() {
    }

    /** The commands of a document's ```sh blocks that start with {@code program}, continuations joined. */
    static List<String> commands(String markdown, String program) {
        List<String> commands = new ArrayList<>();
        Matcher block = BLOCK.matcher(markdown);
        while (block.find()) {
            String joined = block.group(1).replace("\\\n", " ");
            StringBuilder current = null;
            for (String line : joined.split("\n")) {
                String trimmed = line.strip();
                if (trimmed.startsWith(program + " ")) {
                    if (current != null) {
                        commands.add(current.toString());
                    }
                    current = new StringBuilder(trimmed);
                } else if (current != null && !trimmed.isEmpty() && !trimmed.startsWith("#") && openQuote(current.toString())) {
                    current.append('\n').append(line); // a quoted argument spanning lines
                }
            }
            if (current != null) {
                commands.add(current.toString());
            }
        }
        return commands;
    }

    private static boolean openQuote(String text) {
        return text.chars().filter(c -> c == '\'').count() % 2 == 1;
    }

    /** The words of a command, with variables expanded (unknown ones fail, so the docs name only what tests provide). */
    static List<String> words(String command, Map<String, String> variables) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\'') {
                int end = command.indexOf('\'', i + 1);
                word.append(command, i + 1, end);
                i = end;
            } else if (c == '"') {
                int end = command.indexOf('"', i + 1);
                word.append(expand(command.substring(i + 1, end), variables));
                i = end;
            } else if (c == '$') {
                Matcher matcher = VARIABLE.matcher(command).region(i, command.length());
                if (!matcher.lookingAt()) {
                    throw new IllegalArgumentException("not a variable at: " + command.substring(i));
                }
                word.append(value(matcher.group(1), variables));
                i = matcher.end() - 1;
            } else {
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    private static String expand(String text, Map<String, String> variables) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(value(matcher.group(1), variables)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static String value(String name, Map<String, String> variables) {
        String value = variables.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the docs use $" + name + ", which the example run does not define");
        }
        return value;
    }
}
