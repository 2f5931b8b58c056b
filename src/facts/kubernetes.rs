//! Kubernetes manifests: the containers of the long-running workloads they declare, each
//! summarised in a line rules match with a pattern.

use super::Located;
use super::yaml::{self, Node};
use crate::rules::known;

/// Whether `kind` is a workload whose containers are expected to run indefinitely, so health
/// probes apply: rule data (`long-running-workloads`, rules/observability.toml).
fn is_long_running(kind: &str) -> bool {
    known()
        .long_running_workloads
        .iter()
        .any(|workload| workload == kind)
}

/// The probe keys of a Kubernetes container spec, and how summaries name them.
const PROBES: &[(&str, &str)] = &[
    ("livenessProbe", "liveness"),
    ("readinessProbe", "readiness"),
    ("startupProbe", "startup"),
];

/// The containers of a manifest's long-running workloads, and why a document that declares
/// one could not be read: its containers, and their probes, are out of sight.
pub struct Workloads {
    pub containers: Vec<Located>,
    pub unreadable: Option<String>,
}

/// Each container of each Deployment, StatefulSet or DaemonSet in a (multi-document)
/// manifest, at the line of its name, as `Deployment/cart container server: probes
/// liveness, readiness` or `…: probes none`. Documents that are not such workloads give
/// nothing; Helm templates are read with their `{{ }}` actions blanked.
pub fn workloads(text: &str) -> Workloads {
    let mut containers = Vec::new();
    let mut unreadable = None;
    for (document, first_line) in documents(text) {
        // Parsing is what costs: only documents that can hold such a workload's containers.
        if !document.contains("containers:") || !declares_long_running_kind(document) {
            continue;
        }
        // A manifest may hold `{{` in a value: its actions are blanked only when it does not
        // read as it is.
        let raw = yaml::parse(document).ok();
        let templated = raw.is_none() && document.contains("{{");
        let parsed = match templated {
            true => without_template_actions(document).and_then(|read| parse_template(&read)),
            false => raw,
        };
        let Some(root) = parsed else {
            unreadable.get_or_insert_with(|| {
                format!(
                    "the workload at line {first_line} does not read as YAML{}",
                    if templated {
                        ", its template actions blanked"
                    } else {
                        ""
                    }
                )
            });
            continue;
        };

        let Some(kind) = root
            .get("kind")
            .and_then(Node::as_str)
            .filter(|kind| is_long_running(kind))
        else {
            continue;
        };
        let name = root
            .get("metadata")
            .and_then(|metadata| metadata.get("name"))
            .and_then(Node::as_str)
            .unwrap_or("unnamed");
        let pod = root
            .get("spec")
            .and_then(|spec| spec.get("template"))
            .and_then(|template| template.get("spec"));
        let listed = pod.and_then(|pod| pod.get("containers"));
        let items = listed.map(Node::items).unwrap_or_default();
        // A chart whose containers all come from its values (`{{- toYaml .Values.containers
        // | nindent 8 }}`) shows none of them, nor their probes.
        if templated && items.is_empty() {
            unreadable.get_or_insert_with(|| {
                format!("the containers of the workload at line {first_line} come from the chart's values")
            });
            continue;
        }
        // A template's lines, to look for actions that render probes: split once, and read
        // for each line containers start on up to the next such line, once however many
        // start there.
        let lines: Vec<&str> = match templated {
            true => document.lines().collect(),
            false => Vec::new(),
        };
        let groups: Vec<&[&Node]> = items.chunk_by(|a, b| a.line == b.line).collect();
        for (index, group) in groups.iter().enumerate() {
            let start = group[0].line;
            let next_line = groups
                .get(index + 1)
                .map(|next| next[0].line)
                .filter(|&line| line > start);
            let mut rendered = None;
            for container in group.iter() {
                let container_name = container.get("name").and_then(Node::as_str).unwrap_or("?");
                let probes: Vec<&str> = PROBES
                    .iter()
                    .filter(|(key, _)| container.get(key).is_some())
                    .map(|(_, probe)| *probe)
                    .collect();
                let from_values = probes.is_empty()
                    && templated
                    && *rendered.get_or_insert_with(|| renders_probes(&lines, start, next_line));
                let probes = if from_values {
                    "from the chart's values".to_owned()
                } else if probes.is_empty() {
                    "none".to_owned()
                } else {
                    probes.join(", ")
                };
                let line = first_line + container.line.saturating_sub(1);
                containers.push(Located::new(
                    format!("{kind}/{name} container {container_name}: probes {probes}"),
                    line,
                ));
            }
        }
    }
    Workloads {
        containers,
        unreadable,
    }
}

/// A Helm template read as the YAML it renders to, near enough to see its containers and
/// the probes they declare: a line that is only an action (`{{- with .Values.livenessProbe
/// }}`, `{{- toYaml . | nindent 12 }}`, or one that goes on over several lines) is blanked,
/// keeping line numbers, and an action inside a line (`replicas: {{ .Values.replicas }}`) is
/// a placeholder value. `None` when an action is never closed.
fn without_template_actions(document: &str) -> Option<String> {
    let mut rendered = String::with_capacity(document.len());
    let other_items = other_item_branches(document);
    // Inside an action begun on an earlier line.
    let mut open = false;
    for (index, line) in document.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        if other_items.contains(&index) {
            rendered.push_str(ending);
            continue;
        }
        let mut rest = body;
        if open {
            let Some(end) = rest.find("}}") else {
                rendered.push_str(ending);
                continue;
            };
            open = false;
            rest = &rest[end + 2..];
        }
        let content = rest.trim();
        if content.starts_with("{{") && content.ends_with("}}") && !content.contains("}}{{") {
            rendered.push_str(ending);
            continue;
        }
        let mut pushed = false;
        while let Some(start) = rest.find("{{") {
            let before = &rest[..start];
            let Some(length) = rest[start..].find("}}") else {
                // An action that goes on to later lines: a line that holds only its start is
                // blank, like a one-line action.
                if !before.trim().is_empty() || pushed {
                    rendered.push_str(before);
                    rendered.push('…');
                }
                open = true;
                rest = "";
                break;
            };
            rendered.push_str(before);
            rendered.push('…');
            pushed = true;
            rest = &rest[start + length + 2..];
        }
        rendered.push_str(rest);
        rendered.push_str(ending);
    }
    (!open).then_some(rendered)
}

/// The lines (0-based) of the `else` branches that give a list item instead of the one the
/// first branch gives (`{{- if .Values.registry }}` `- image: …/demo` `{{- else }}` `- image:
/// demo` `{{- end }}`, then the container's other keys): the template renders one of them, and
/// both kept would make two containers, the first without the keys that follow. Branches
/// giving keys are kept, each once (`parse_template`).
fn other_item_branches(document: &str) -> std::collections::HashSet<usize> {
    let mut blanked = std::collections::HashSet::new();
    // Per open block (`if`, `with`, `range`, …): the line it starts on, and whether its
    // current branch is blanked.
    let mut blocks: Vec<(usize, bool)> = Vec::new();
    let lines: Vec<&str> = document.lines().collect();
    let gives_item = |lines: &[&str]| {
        lines
            .iter()
            .map(|line| line.trim())
            .find(|line| !line.is_empty() && !line.starts_with("{{"))
            .is_some_and(|line| line.starts_with("- "))
    };
    for (index, line) in lines.iter().enumerate() {
        let content = line.trim();
        let action = content
            .strip_prefix("{{")
            .and_then(|action| action.strip_suffix("}}"))
            .filter(|action| !action.contains("}}"))
            .map(|action| action.trim_matches(|c: char| c == '-' || c.is_whitespace()));
        match action.and_then(|action| action.split_whitespace().next()) {
            Some("if" | "with" | "range" | "define" | "block") => blocks.push((index, false)),
            Some("end") => {
                blocks.pop();
            }
            Some("else") => {
                if let Some((start, branch)) = blocks.last_mut() {
                    *branch = *branch
                        || gives_item(&lines[*start + 1..index]) && gives_item(&lines[index + 1..]);
                }
            }
            _ => {}
        }
        if blocks.iter().any(|&(_, blanked)| blanked) {
            blanked.insert(index);
        }
    }
    blanked
}

/// A Helm template, its actions blanked, as YAML: an `if`/`else` gives a key once in each
/// branch (`securityContext:` from values, or written out), and each is kept, where YAML
/// refuses the file.
fn parse_template(blanked: &str) -> Option<Node> {
    match yaml::parse_keeping_repeated_keys(blanked).ok()?.value {
        yaml::Value::Seq(documents) => documents.into_iter().next(),
        _ => None,
    }
}

/// Whether the container of a Helm template starting at `line` (1-based, of the template's
/// `lines`, and ending before `next`, the next container's) has an action that speaks of
/// probes (`{{- toYaml .Values.probes | nindent 10 }}`): its probes come from the chart's
/// values, where no key shows them. A line that is only an action belongs to the container
/// however it is indented (`indent` wants its action at column 0).
fn renders_probes(lines: &[&str], line: u32, next: Option<u32>) -> bool {
    let start = line.saturating_sub(1) as usize;
    let end = next.map_or(lines.len(), |next| {
        (next.saturating_sub(1) as usize).min(lines.len())
    });
    let Some((first, after)) = lines.get(start..end).and_then(<[&str]>::split_first) else {
        return false;
    };
    let indentation = |text: &str| text.len() - text.trim_start().len();
    let item = indentation(first);
    let belongs = |text: &&&str| {
        let content = text.trim();
        content.is_empty() || content.starts_with("{{") || indentation(text) > item
    };
    std::iter::once(first)
        .chain(after.iter().take_while(belongs))
        .filter_map(|text| text.split_once("{{").map(|(_, action)| action))
        .any(|action| action.to_ascii_lowercase().contains("probe"))
}

/// Whether a top-level `kind:` line names a long-running workload.
fn declares_long_running_kind(document: &str) -> bool {
    document.lines().any(|line| {
        line.strip_prefix("kind:")
            .is_some_and(|kind| is_long_running(kind.trim().trim_matches(['"', '\''])))
    })
}

/// The documents of a YAML stream, split at `---` lines, with the line each starts on.
fn documents(text: &str) -> Vec<(&str, u32)> {
    let mut documents = Vec::new();
    let (mut start, mut start_line, mut line) = (0, 1u32, 1u32);
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        if raw.trim_end() == "---" || raw.starts_with("--- ") {
            documents.push((&text[start..offset], start_line));
            start = offset + raw.len();
            start_line = line + 1;
        }
        offset += raw.len();
        line += 1;
    }
    documents.push((&text[start..], start_line));
    documents
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each container summary of a template, at its line.
    fn containers_at_lines(template: &str) -> Vec<(String, u32)> {
        workload_containers(template)
            .into_iter()
            .map(|fact| (fact.text, fact.line))
            .collect()
    }

    fn workload_containers(text: &str) -> Vec<Located> {
        workloads(text).containers
    }

    #[test]
    fn containers_of_long_running_workloads_with_their_probes() {
        let text = "\
apiVersion: v1
kind: Service
metadata:
  name: cart
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
spec:
  template:
    spec:
      initContainers:
        - name: migrate
      containers:
        - name: server
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
          livenessProbe:
            tcpSocket: {port: 8080}
        - name: proxy
          image: envoy
---
kind: CronJob
metadata:
  name: nightly
";
        let containers = workload_containers(text);
        let found: Vec<(&str, u32)> = containers
            .iter()
            .map(|fact| (fact.text.as_str(), fact.line))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "Deployment/cart container server: probes liveness, readiness",
                    16
                ),
                ("Deployment/cart container proxy: probes none", 21),
            ]
        );
    }

    #[test]
    fn helm_templates_are_read_with_their_actions_blanked() {
        let template = "\
{{- if .Values.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include \"chart.fullname\" . }}
  labels:
    {{- include \"chart.labels\" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"
          {{- with .Values.livenessProbe }}
          livenessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
        - name: sidecar
          image: busybox
{{- end }}
";
        let found = containers_at_lines(template);
        assert_eq!(
            found,
            [
                ("Deployment/… container …: probes liveness".to_owned(), 13),
                ("Deployment/… container sidecar: probes none".to_owned(), 19),
            ]
        );
    }

    #[test]
    fn an_if_else_choosing_a_containers_first_line_gives_one_container() {
        let template = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo
spec:
  template:
    spec:
      containers:
      {{- if .Values.registry }}
      - image: \"{{ .Values.registry }}/demo:1\"
      {{- else if .Values.mirror }}
      - image: \"{{ .Values.mirror }}/demo:1\"
      {{- else }}
      - image: demo:1
      {{- end }}
        name: demo
        {{- if .Values.probes }}
        livenessProbe: {{ toYaml .Values.probes.liveness }}
        {{- else }}
        livenessProbe:
          httpGet: {path: /live, port: 8080}
        {{- end }}
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
";
        let found = containers_at_lines(template);
        assert_eq!(
            found,
            [(
                "Deployment/demo container demo: probes liveness, readiness".to_owned(),
                10
            )]
        );
    }

    #[test]
    fn helm_templates_and_other_yaml_give_nothing() {
        let template = "kind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        {{- toYaml .Values.containers | nindent 8 }}\n";
        // Containers that all come from the chart's values are out of sight.
        let read = workloads(template);
        assert!(read.containers.is_empty());
        assert!(
            read.unreadable
                .unwrap()
                .contains("come from the chart's values")
        );
        assert!(workload_containers("jobs:\n  test:\n    kind: x\n").is_empty());
    }

    #[test]
    fn an_action_over_several_lines_is_blanked_to_its_end() {
        let template = "\
kind: Deployment
metadata:
  name: {{ include \"chart.fullname\"
    . }}
  labels:
    {{- include \"chart.labels\" .
      | nindent 4 }}
spec:
  template:
    spec:
      containers:
        - name: app
          image: x
";
        let read = workloads(template);
        assert!(read.unreadable.is_none());
        let found: Vec<(String, u32)> = read
            .containers
            .into_iter()
            .map(|fact| (fact.text, fact.line))
            .collect();
        assert_eq!(
            found,
            [("Deployment/… container app: probes none".to_owned(), 12)]
        );
    }

    /// Red team: probes rendered by an action at column 0 (`indent` wants it there) were
    /// not seen, and a line of many containers was searched once per container.
    #[test]
    fn a_container_s_actions_are_its_own_however_indented_and_read_once() {
        let template = "\
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: app
          image: x
{{ include \"app.probes\" . | indent 10 }}
        - name: sidecar
          image: y
{{ include \"sidecar.env\" . | indent 10 }}
";
        let found: Vec<String> = workload_containers(template)
            .into_iter()
            .map(|fact| fact.text)
            .collect();
        assert_eq!(
            found,
            [
                "Deployment/unnamed container app: probes from the chart's values",
                "Deployment/unnamed container sidecar: probes none",
            ]
        );
        let lines = ["- {name: a}", "  {{ x }}", "- {name: b}", "  {{ probes }}"];
        assert!(!renders_probes(&lines, 1, Some(3)));
        assert!(renders_probes(&lines, 3, None));
    }

    /// A workload whose template does not read is out of sight, not a workload without
    /// containers: the probes rule cannot pass on it.
    #[test]
    fn a_workload_that_does_not_read_is_named_unreadable() {
        let never_closed = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        {{- include \"x\" .\n        - name: app\n";
        let broken = "kind: Deployment\nspec: [\n  containers:\n";
        for text in [never_closed, broken] {
            let read = workloads(text);
            assert!(read.containers.is_empty(), "{text}");
            let why = read.unreadable.expect(text);
            assert!(why.contains("line 1"), "{why}");
        }
        let second = format!("kind: Service\n---\n{broken}");
        assert!(workloads(&second).unreadable.unwrap().contains("line 3"));
    }

    /// The rule that judges these containers applies to files declaring the same kinds.
    #[test]
    fn the_probes_rule_applies_to_every_long_running_kind() {
        let rule = crate::rules::builtin_rules()
            .iter()
            .find(|rule| rule.id == "observability.workload-probes")
            .expect("the rule is built in");
        let pattern = rule
            .applies_if
            .as_ref()
            .and_then(|precondition| precondition.pattern.as_ref())
            .expect("the rule looks for a kind");
        for kind in &known().long_running_workloads {
            assert!(
                pattern.is_match(format!("kind: {kind}").as_bytes()),
                "{kind}"
            );
        }
        assert!(!pattern.is_match(b"kind: CronJob"));
    }
}
