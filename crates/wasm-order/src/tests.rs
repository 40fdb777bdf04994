//! Tests of the likeness order on small modules built with wasm-encoder: which functions end
//! up next to each other, what is kept, and what is refused.

use super::*;
use proptest::prelude::*;
use wasm_encoder::{
    CodeSection, CustomSection, EntityType, Function, FunctionSection, ImportSection, Instruction,
    TypeSection, ValType,
};
use wasmparser::{KnownCustom, Name};

/// A body that pushes `values` one after another and drops them: bodies made from the same
/// values are alike, from different values unlike.
fn body(values: &[i32]) -> Function {
    let mut f = Function::new([]);
    for &v in values {
        f.instruction(&Instruction::I32Const(v));
        f.instruction(&Instruction::Drop);
    }
    f.instruction(&Instruction::End);
    f
}

/// A module importing one function and defining one per body, optionally with a name section
/// of its own.
fn module(bodies: &[Function], old_names: bool) -> Vec<u8> {
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    types.ty().function([ValType::I32], []);
    module.section(&types);
    let mut imports = ImportSection::new();
    imports.import("env", "log", EntityType::Function(1));
    module.section(&imports);
    let mut functions = FunctionSection::new();
    for _ in bodies {
        functions.function(0);
    }
    module.section(&functions);
    let mut code = CodeSection::new();
    for f in bodies {
        code.function(f);
    }
    module.section(&code);
    if old_names {
        let mut names = NameMap::new();
        names.append(1, "old");
        let mut section = NameSection::new();
        section.functions(&names);
        module.section(&section);
    }
    module.section(&CustomSection {
        name: "producers".into(),
        data: b"kept".as_slice().into(),
    });
    module.finish()
}

/// Every function name in the module's name sections, as (index, name), and how many name
/// sections it has.
fn names(wasm: &[u8]) -> (Vec<(u32, String)>, usize) {
    let mut found = Vec::new();
    let mut sections = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::CustomSection(reader) = payload.expect("a valid module") {
            if let KnownCustom::Name(reader) = reader.as_known() {
                sections += 1;
                for name in reader {
                    if let Name::Function(map) = name.expect("a valid name section") {
                        for naming in map {
                            let naming = naming.expect("a valid naming");
                            found.push((naming.index, naming.name.to_string()));
                        }
                    }
                }
            }
        }
    }
    (found, sections)
}

fn a(n: i32) -> Vec<i32> {
    (0..40).map(|i| i * 1000 + n).collect()
}
fn b(n: i32) -> Vec<i32> {
    (0..40).map(|i| -(i * 7919) - 1 - n).collect()
}

#[test]
fn alike_functions_are_named_next_to_each_other() {
    // Defined in the order A, B, A', B': the chain from A takes A' next, then B, then B'.
    let wasm = module(&[body(&a(0)), body(&b(0)), body(&a(1)), body(&b(1))], false);
    let named = name_by_likeness(&wasm).expect("a readable module");
    let (found, sections) = names(&named);
    assert_eq!(sections, 1);
    let expected = [(0, "import0"), (1, "f0"), (2, "f2"), (3, "f1"), (4, "f3")];
    let expected: Vec<(u32, String)> = expected.iter().map(|&(i, n)| (i, n.into())).collect();
    assert_eq!(found, expected);
}

#[test]
fn a_name_section_is_replaced_and_every_other_section_kept() {
    let wasm = module(&[body(&a(0)), body(&b(0))], true);
    let named = name_by_likeness(&wasm).expect("a readable module");
    let (found, sections) = names(&named);
    assert_eq!(sections, 1, "one name section, the new one");
    assert!(found.iter().all(|(_, name)| name != "old"), "{found:?}");
    let without_names = module(&[body(&a(0)), body(&b(0))], false);
    let rest = |wasm: &[u8]| -> Vec<(u8, Vec<u8>)> {
        Parser::new(0)
            .parse_all(wasm)
            .filter_map(|p| {
                let p = p.expect("a valid module");
                if let Payload::CustomSection(r) = &p {
                    if r.name() == "name" {
                        return None;
                    }
                }
                p.as_section().map(|(id, range)| (id, wasm[range].to_vec()))
            })
            .collect()
    };
    assert_eq!(rest(&named), rest(&without_names));
    wasmparser::validate(&named).expect("the output validates");
}

#[test]
fn the_same_module_gets_the_same_bytes() {
    let wasm = module(&[body(&b(3)), body(&a(2)), body(&b(4)), body(&a(5))], false);
    let once = name_by_likeness(&wasm).expect("a readable module");
    assert_eq!(once, name_by_likeness(&wasm).expect("a readable module"));
}

#[test]
fn what_is_not_wasm_is_an_error() {
    assert!(name_by_likeness(b"not a wasm module").is_err());
    let wasm = module(&[body(&a(0))], false);
    assert!(name_by_likeness(&wasm[..wasm.len() - 3]).is_err());
}

proptest! {
    /// Whatever the bodies, the order places each exactly once, body 0 first.
    #[test]
    fn the_order_is_a_permutation(bodies in proptest::collection::vec(
        proptest::collection::vec(any::<u8>(), 0..40), 0..30)) {
        let refs: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
        let order = likeness_order(&refs);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        prop_assert_eq!(sorted, (0..bodies.len()).collect::<Vec<_>>());
        if !bodies.is_empty() {
            prop_assert_eq!(order[0], 0);
        }
    }
}
