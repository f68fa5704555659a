//! `kpic check --format sarif` produces a SARIF 2.1.0 log: valid against the
//! official schema (`KPIC_SARIF_SCHEMA`, fetched by .ci/run), with locations
//! where kpic's diagnostics are.

use std::process::Command;

#[test]
fn sarif_output_has_the_required_structure() {
    let output = Command::new(env!("CARGO_BIN_EXE_kpic"))
        .args(["check", "tests/cases/invalid/duplicate_name", "--format", "sarif"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    match std::env::var("KPIC_SARIF_SCHEMA") {
        Ok(path) => {
            let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
            let errors: Vec<String> =
                validator.iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
        }
        Err(_) => assert!(
            std::env::var_os("KPIC_REQUIRE_ENGINES").is_none(),
            "KPIC_SARIF_SCHEMA is not set (.ci/run fetches the schema)"
        ),
    }
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "kpic");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["id"].is_string() && r["shortDescription"]["text"].is_string()));
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "ruleIndex points at the rule");
        assert!(["error", "warning", "note", "none"].contains(&result["level"].as_str().unwrap()));
        assert!(result["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        for location in result["locations"]
            .as_array()
            .unwrap()
            .iter()
            .chain(result["relatedLocations"].as_array().into_iter().flatten())
        {
            let physical = &location["physicalLocation"];
            assert!(
                physical["artifactLocation"]["uri"].as_str().unwrap().ends_with(".kpi")
                    || physical["artifactLocation"]["uri"].as_str().unwrap().ends_with("kpic.lock")
            );
            let region = &physical["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[key].as_u64().is_some_and(|n| n >= 1), "{key} is a 1-based integer");
            }
        }
    }
    let duplicate = results.iter().find(|r| r["ruleId"] == "duplicate-name").unwrap();
    assert_eq!(duplicate["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
    assert_eq!(
        duplicate["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/cases/invalid/duplicate_name/a.kpi"
    );
}
