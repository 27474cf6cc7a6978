//! The screens' TypeScript bindings, generated from the Rust types: every
//! type a command takes or returns or an event carries, a function per
//! command and a typed event map. `ui/src/lib/bindings.ts` is this file's
//! output; a test fails when it is stale:
//! `TATAMI_WRITE_BINDINGS=1 cargo test -p tatami-app bindings` rewrites it.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use ts_rs::{Config, TS, TypeVisitor};

/// The types met so far and their declarations, by name.
pub(crate) struct Types {
    config: Config,
    seen: HashSet<TypeId>,
    declarations: BTreeMap<String, String>,
}

impl Types {
    fn new() -> Self {
        Self {
            config: Config::new().with_large_int("number"),
            seen: HashSet::new(),
            declarations: BTreeMap::new(),
        }
    }

    /// Declares `T` and everything it refers to; returns its TypeScript name.
    pub(crate) fn add<T: TS + 'static + ?Sized>(&mut self) -> String {
        self.visit::<T>();
        T::name(&self.config)
    }
}

impl TypeVisitor for Types {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Each type once (JSON values refer to themselves). Only named
        // types are declared; wrappers (`Vec`, `Option`) are walked
        // through to what they hold.
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if T::output_path().is_some() {
            let docs = T::docs().unwrap_or_default();
            self.declarations.insert(
                T::ident(&self.config),
                format!("{docs}export {}", T::decl(&self.config)),
            );
        }
        T::visit_dependencies(self);
        // What a `Vec<T>` or `Option<T>` holds is a generic, not a dependency.
        T::visit_generics(self);
    }
}

pub(crate) struct CommandSignature {
    pub name: &'static str,
    pub docs: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub returns: String,
}

pub(crate) struct EventSignature {
    pub name: &'static str,
    pub docs: &'static str,
    pub payload: String,
}

fn camel_case(snake: &str) -> String {
    let mut words = snake.split('_');
    let first = words.next().unwrap_or_default().to_owned();
    words.fold(first, |mut name, word| {
        let mut chars = word.chars();
        if let Some(c) = chars.next() {
            name.extend(c.to_uppercase());
            name.push_str(chars.as_str());
        }
        name
    })
}

fn js_doc(out: &mut String, docs: &str, indent: &str) {
    let lines: Vec<&str> = docs.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if !lines.is_empty() {
        let _ = writeln!(out, "{indent}/** {} */", lines.join(" "));
    }
}

/// The whole bindings file.
pub(crate) fn typescript() -> String {
    let mut types = Types::new();
    let error = types.add::<crate::error::CommandError>();
    let commands = crate::commands::signatures(&mut types);
    let events = crate::events::signatures(&mut types);

    let mut out = String::from(
        "// Generated from the app's Rust types by src-tauri/src/bindings.rs: do not edit.\n\
         // TATAMI_WRITE_BINDINGS=1 cargo test -p tatami-app bindings\n\n\
         import { invoke, type InvokeArgs } from \"@tauri-apps/api/core\";\n\
         import { listen, type UnlistenFn } from \"@tauri-apps/api/event\";\n\n",
    );
    for declaration in types.declarations.values() {
        let _ = writeln!(out, "{declaration}\n");
    }
    let _ = writeln!(
        out,
        "/** Every command rejects with a `{error}`: a stable code and a message for people. */\n\
         export function isCommandError(value: unknown): value is {error} {{\n  \
         return typeof value === \"object\" && value !== null && \"code\" in value && \"message\" in value;\n}}\n\n\
         /** Calls a command; what Tauri itself refuses (arguments that do not fit) becomes a `{error}` too. */\n\
         async function call<T>(command: string, args?: InvokeArgs): Promise<T> {{\n  \
         try {{\n    return await invoke<T>(command, args);\n  }} catch (error) {{\n    \
         throw isCommandError(error) ? error : {{ code: \"bad_request\", message: String(error) }};\n  }}\n}}\n"
    );
    for command in &commands {
        let params: Vec<String> = command
            .args
            .iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect();
        let names: Vec<&str> = command.args.iter().map(|(name, _)| *name).collect();
        let args = if names.is_empty() {
            String::new()
        } else {
            format!(", {{ {} }}", names.join(", "))
        };
        js_doc(&mut out, command.docs, "");
        let _ = writeln!(
            out,
            "export function {}({}): Promise<{}> {{\n  return call(\"{}\"{args});\n}}\n",
            camel_case(command.name),
            params.join(", "),
            command.returns,
            command.name,
        );
    }
    out.push_str("/** The events the app sends the screens, by name. */\nexport type AppEvents = {\n");
    for event in &events {
        js_doc(&mut out, event.docs, "  ");
        let _ = writeln!(out, "  {}: {};", event.name, event.payload);
    }
    out.push_str(
        "};\n\n\
         /** Calls `handler` with each `name` event's payload until the returned function is called. */\n\
         export function onEvent<K extends keyof AppEvents>(\n  name: K,\n  handler: (payload: AppEvents[K]) => void,\n\
         ): Promise<UnlistenFn> {\n  return listen<AppEvents[K]>(name, (event) => handler(event.payload));\n}\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{camel_case, typescript};

    fn committed() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts")
    }

    #[test]
    fn bindings_match_the_rust_types() {
        let generated = typescript();
        if std::env::var_os("TATAMI_WRITE_BINDINGS").is_some() {
            std::fs::write(committed(), &generated).unwrap_or_else(|e| panic!("writing the bindings: {e}"));
        }
        let on_disk = std::fs::read_to_string(committed()).unwrap_or_default();
        assert!(
            on_disk == generated,
            "ui/src/lib/bindings.ts is stale: run `TATAMI_WRITE_BINDINGS=1 cargo test -p tatami-app bindings`"
        );
    }

    #[test]
    fn every_command_and_type_is_in_the_bindings() {
        let generated = typescript();
        for expected in [
            "export function checkIn(student: StudentId, session: SessionKey | null): Promise<DoorOutcome>",
            "export type CommandError = { code: CommandCode, message: string, };",
            "export type CommandCode = Code | CameraCode | ShellCode;",
            "export type Code = EngineCode | ErrorCode;",
            "  door: DoorOutcome;",
            "export type SyncStatus = ",
        ] {
            assert!(
                generated.contains(expected),
                "missing {expected:?} in\n{generated}"
            );
        }
    }

    #[test]
    fn command_names_become_camel_case() {
        assert_eq!(camel_case("check_in_pass"), "checkInPass");
        assert_eq!(camel_case("roster"), "roster");
    }
}
