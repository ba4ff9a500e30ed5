use super::*;
use crate::requirements::fs::MemFs;

pub(super) fn empty() -> Project {
    Project::empty(Path::new("/w"))
}

fn read_one(files: &[(&str, &str)], extras: &[&str]) -> Result<Project, ProjectError> {
    let mut fs = MemFs::new();
    fs.add_dir("/w/p");
    for (p, t) in files {
        fs.add(format!("/w/p/{p}"), *t);
    }
    let extras: Vec<String> = extras.iter().map(|s| s.to_string()).collect();
    read(Path::new("/w/p"), &extras, &fs)
}

fn texts(p: &Project) -> Vec<(String, usize, Option<String>)> {
    p.deps
        .iter()
        .map(|d| (d.text.clone(), d.line, d.extra.clone()))
        .collect()
}

const PEP621: &str = r#"[build-system]
requires = ["hatchling>=1.20"]
build-backend = "hatchling.build"

[project]
name = "Demo-App"
version = "1.0"
requires-python = ">=3.10"
dependencies = [
  "requests>=2.31",
  "tomli; python_version < '3.11'",
]

[project.optional-dependencies]
Dev = ["pytest>=8", "demo-app[lint]"]
lint = ["ruff"]
docs = ["sphinx"]
"#;

#[test]
fn pep621_dependencies_extras_and_self_references() {
    let p = read_one(&[("pyproject.toml", PEP621)], &["dev"]).expect("test setup");
    assert_eq!(p.name.as_deref(), Some("Demo-App"));
    assert_eq!(p.requires_python.as_deref(), Some(">=3.10"));
    assert_eq!(p.source, Source::Pyproject);
    assert_eq!(
        texts(&p),
        vec![
            ("requests>=2.31".into(), 10, None),
            ("tomli; python_version < '3.11'".into(), 11, None),
            ("pytest>=8".into(), 15, Some("dev".into())),
            ("ruff".into(), 16, Some("lint".into())),
        ]
    );
    assert_eq!(p.build.len(), 1);
    assert_eq!(
        (p.build[0].text.as_str(), p.build[0].line),
        ("hatchling>=1.20", 2)
    );
    assert!(p.dynamic.is_empty(), "{:?}", p.dynamic);
    let p = read_one(&[("pyproject.toml", PEP621)], &["nope"]).expect("test setup");
    assert_eq!(p.extras_missing, vec!["nope".to_string()]);
    assert_eq!(p.deps.len(), 2);
}

#[test]
fn dynamic_metadata_is_said_not_guessed() {
    let p = read_one(
        &[(
            "pyproject.toml",
            "[project]\nname = \"x\"\nversion = \"1\"\ndynamic = [\"dependencies\"]\n",
        )],
        &[],
    )
    .expect("test setup");
    assert!(p.deps.is_empty());
    assert_eq!(p.dynamic[0].what, "dependencies");
    assert!(
        p.dynamic[0].why.contains("pyproject.toml:4"),
        "{:?}",
        p.dynamic
    );
    // A bare setup.py: dynamic, and pip's default build requirement.
    let p = read_one(
        &[("setup.py", "from setuptools import setup\nsetup()\n")],
        &[],
    )
    .expect("test setup");
    assert_eq!(p.dynamic[0].what, "dependencies");
    assert_eq!(p.build[0].text, DEFAULT_BUILD_REQUIRES);
    // setup.cfg with a setup.py that passes install_requires itself.
    let p = read_one(
        &[
            ("setup.cfg", "[options]\ninstall_requires = a\n"),
            ("setup.py", "setup(install_requires=['b'])\n"),
        ],
        &[],
    )
    .expect("test setup");
    assert!(p.deps.is_empty());
    assert!(p.dynamic.iter().any(|d| d.what == "dependencies"));
}

#[test]
fn poetry_tables_are_translated() {
    let text = r#"[tool.poetry]
name = "poet"
version = "0.3.0"

[tool.poetry.dependencies]
python = "^3.9"
requests = "^2.31"
click = { version = "~8.1", python = ">=3.10" }
rich = { version = "^13", optional = true }

[tool.poetry.extras]
fancy = ["rich"]

[tool.poetry.group.test.dependencies]
pytest = "^8.0"

[build-system]
requires = ["poetry-core>=1.0"]
build-backend = "poetry.core.masonry.api"
"#;
    let p = read_one(&[("pyproject.toml", text)], &["fancy"]).expect("test setup");
    assert_eq!(p.source, Source::Poetry);
    assert_eq!(p.requires_python.as_deref(), Some(">=3.9,<4.0"));
    assert_eq!(
        texts(&p),
        vec![
            ("requests>=2.31,<3.0".into(), 7, None),
            (
                "click>=8.1,<8.2 ; python_version >= \"3.10\"".into(),
                8,
                None
            ),
            ("rich>=13,<14".into(), 9, Some("fancy".into())),
            ("pytest>=8.0,<9.0".into(), 15, None),
        ]
    );
    assert_eq!(p.deps[3].group.as_deref(), Some("test"));
}

#[test]
fn bad_input_names_file_line_and_column() {
    let e = read_one(
        &[(
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\n  \"ok\",\n  \"bad>=>1\",\n]\n",
        )],
        &[],
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (Some(5), Some(7)), "{e:?}");
    assert!(e.message.contains("invalid requirement"), "{e:?}");
    let e = read_one(
        &[(
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\"ok\", 3]\n",
        )],
        &[],
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (Some(3), Some(23)), "{e:?}");
    assert!(e.message.contains("must be a string"), "{e:?}");
    let e = read_one(&[("pyproject.toml", "[project\nname = 1\n")], &[]).unwrap_err();
    assert_eq!(e.line, Some(1), "{e:?}");
    assert!(e.message.contains("invalid TOML"), "{e:?}");
    let fs = MemFs::new();
    let e = read(Path::new("/w/missing"), &[], &fs).unwrap_err();
    assert_eq!(e.line, None);
    assert!(e.message.contains("no such directory"));
}

#[test]
fn positions() {
    assert_eq!(line_col("ab\ncdé\nf", 7), (2, 4));
    assert_eq!(line_col("x", 0), (1, 1));
}

#[test]
fn poetry_2_with_project_table_reads_project_and_poetry_for_dynamic() {
    // [project] lists dependencies: [tool.poetry.dependencies] only enriches.
    let text = "[project]\nname = \"p\"\nversion = \"1\"\ndependencies = [\"requests>=2\"]\n\n[tool.poetry.dependencies]\nrequests = { source = \"mirror\" }\n";
    let p = read_one(&[("pyproject.toml", text)], &[]).expect("test setup");
    assert_eq!(p.source, Source::Pyproject);
    assert_eq!(texts(&p), vec![("requests>=2".into(), 4, None)]);
    // dynamic = ["dependencies"] with Poetry's table: Poetry's is read.
    let text = "[project]\nname = \"p\"\nversion = \"1\"\ndynamic = [\"dependencies\"]\n\n[tool.poetry.dependencies]\nclick = \"^8.1\"\n";
    let p = read_one(&[("pyproject.toml", text)], &[]).expect("test setup");
    assert_eq!(p.source, Source::Poetry);
    assert!(p.dynamic.is_empty(), "{:?}", p.dynamic);
    assert_eq!(texts(&p), vec![("click>=8.1,<9.0".into(), 7, None)]);
    // A union constraint is not translated: said, not guessed.
    let text = "[tool.poetry]\nname = \"p\"\nversion = \"1\"\n[tool.poetry.dependencies]\nx = \"^1 || ^2\"\ny = { git = \"https://h/r\" }\n";
    let p = read_one(&[("pyproject.toml", text)], &[]).expect("test setup");
    assert!(p.deps.is_empty());
    let whats: Vec<&str> = p.dynamic.iter().map(|d| d.what.as_str()).collect();
    assert_eq!(whats, ["dependency x", "dependency y"]);
    assert!(
        p.dynamic[0].why.contains("pyproject.toml:5"),
        "{:?}",
        p.dynamic
    );
}

#[test]
fn setup_cfg_directives_are_dynamic() {
    let p = read_one(
        &[(
            "setup.cfg",
            "[metadata]\nname = c\nversion = attr: c.__version__\n[options]\ninstall_requires = file: requirements.in\n[options.extras_require]\nx = file: x.in\ny = ok\n",
        )],
        &["y"],
    )
    .expect("test setup");
    let whats: Vec<&str> = p.dynamic.iter().map(|d| d.what.as_str()).collect();
    assert_eq!(
        whats,
        ["version", "dependencies", "optional-dependencies.x"]
    );
    assert_eq!(texts(&p), vec![("ok".into(), 8, Some("y".into()))]);
}

#[test]
fn a_build_system_without_requires_is_an_error() {
    let e = read_one(
        &[("pyproject.toml", "[build-system]\nbuild-backend = \"x\"\n")],
        &[],
    )
    .unwrap_err();
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("requires"), "{e:?}");
}

#[test]
fn a_self_reference_in_the_dependencies_turns_its_extras_on() {
    let text = "[project]\nname = \"me\"\nversion = \"1\"\ndependencies = [\"a\", \"Me[Fast]\"]\n[project.optional-dependencies]\nfast = [\"uvloop\"]\nslow = [\"b\"]\n";
    let p = read_one(&[("pyproject.toml", text)], &[]).expect("test setup");
    assert_eq!(
        texts(&p),
        vec![
            ("a".into(), 4, None),
            ("uvloop".into(), 6, Some("fast".into()))
        ]
    );
}
