//! How the Worker talks to its Durable Objects, written once for all of them.
//!
//! Each object has a `protocol` module: an enum of its operations (declared
//! with [`protocol!`], which also ties every request type to its answer type),
//! and a client whose methods are the only way the Worker calls the object.
//! On the wire a call is a POST of the operation as tagged JSON, answered with
//! the answer's JSON (200) or an [`ApiError`] with its status.
//!
//! The object side implements [`StorageObject`] (one exhaustive `match` over
//! its operations) and gets its `DurableObject` scaffolding from
//! [`durable_object_serving!`].

use crate::error::{Outcome, Problem};
use domain::api::ApiError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use wasm_bindgen::JsValue;
use worker::{Env, Method, Request, RequestInit, Response, Stub};

/// One operation of an object's protocol: the request, its protocol enum and the answer it gets.
pub trait Operation: Into<Self::Protocol> {
    type Protocol: Serialize;
    type Answer: Serialize + DeserializeOwned;
}

/// Declares an object's protocol: the operations enum (tagged JSON on the wire)
/// and, for each request type, the answer it gets.
///
/// ```ignore
/// protocol! {
///     pub enum PocketOperation {
///         Add(Add) -> Done,
///         List(List) -> Vec<ItemRef>,
///     }
/// }
/// ```
macro_rules! protocol {
    ($(#[$meta:meta])* pub enum $protocol:ident { $($(#[$doc:meta])* $variant:ident($request:ty) -> $answer:ty,)+ }) => {
        $(#[$meta])*
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(tag = "operation", content = "request", rename_all = "snake_case")]
        pub enum $protocol {
            $($(#[$doc])* $variant($request),)+
        }

        $(
            impl From<$request> for $protocol {
                fn from(request: $request) -> Self {
                    Self::$variant(request)
                }
            }

            impl $crate::storage::object::Operation for $request {
                type Protocol = $protocol;
                type Answer = $answer;
            }
        )+
    };
}
pub(crate) use protocol;

/// The answer of an operation that only succeeds or is refused.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Done;

/// The Worker's handle on one object.
pub struct ObjectClient {
    stub: Stub,
}

impl ObjectClient {
    /// The object named `name` of the Durable Object namespace bound as `binding`.
    pub fn named(env: &Env, binding: &str, name: &str) -> Outcome<Self> {
        Ok(Self { stub: env.durable_object(binding)?.get_by_name(name)? })
    }

    /// Runs one operation on the object and reads its typed answer.
    pub async fn call<R: Operation>(&self, request: R) -> Outcome<R::Answer> {
        let body = serde_json::to_string(&request.into())?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_body(Some(JsValue::from_str(&body)));
        let request = Request::new_with_init("https://internal/", &init)?;
        let mut response = self.stub.fetch_with_request(request).await?;
        let text = response.text().await?;
        if response.status_code() == 200 {
            return Ok(serde_json::from_str(&text)?);
        }
        match serde_json::from_str::<ApiError>(&text) {
            Ok(error) => Err(Problem::Refused(error)),
            Err(_) => Err(Problem::internal(format!("object answered {} without an ApiError", response.status_code()))),
        }
    }
}

/// An answer serialised by [`answer`] or [`answer_later`], which checked its type.
pub struct Reply(serde_json::Value);

/// Answers `request` with `handler`, which must give the answer the protocol declares.
pub fn answer<R: Operation>(request: R, handler: impl FnOnce(R) -> Outcome<R::Answer>) -> Outcome<Reply> {
    Ok(Reply(serde_json::to_value(handler(request)?)?))
}

/// Like [`answer`], for a handler that awaits (a long-poll, a hash check).
pub async fn answer_later<R, F>(request: R, handler: impl FnOnce(R) -> F) -> Outcome<Reply>
where
    R: Operation,
    F: Future<Output = Outcome<R::Answer>>,
{
    Ok(Reply(serde_json::to_value(handler(request).await?)?))
}

/// The object side of a protocol.
pub trait StorageObject: Sized {
    type Operation: DeserializeOwned;

    /// The runtime's (synchronous) constructor.
    fn open(state: worker::State, env: Env) -> Self;

    /// One exhaustive `match` over the operations.
    fn handle(&self, operation: Self::Operation) -> impl Future<Output = Outcome<Reply>>;

    /// The object's alarm (objects served with `durable_object_serving!(Object, alarm)`).
    fn alarm(&self) -> impl Future<Output = Outcome<()>> {
        async { Ok(()) }
    }
}

/// Reads the operation, runs it, answers it: the `fetch` of every object.
pub async fn serve<O: StorageObject>(object: &O, mut req: Request) -> worker::Result<Response> {
    let outcome = match read_operation::<O::Operation>(&mut req).await {
        Ok(operation) => object.handle(operation).await,
        Err(problem) => Err(problem),
    };
    match outcome.and_then(|Reply(value)| Ok(Response::from_json(&value)?)) {
        Ok(response) => Ok(response),
        Err(problem) => Ok(problem.into_response()),
    }
}

async fn read_operation<T: DeserializeOwned>(req: &mut Request) -> Outcome<T> {
    let body = req.text().await?;
    // Bodies come from our own Worker: a parse failure is our bug, not the client's.
    serde_json::from_str(&body).map_err(|error| Problem::internal(format!("object request: {error}")))
}

/// The `DurableObject` of a [`StorageObject`]: its constructor, and `fetch` through [`serve`].
macro_rules! durable_object_serving {
    ($object:ty) => {
        impl worker::DurableObject for $object {
            fn new(state: worker::State, env: worker::Env) -> Self {
                <$object as $crate::storage::object::StorageObject>::open(state, env)
            }

            async fn fetch(&self, req: worker::Request) -> worker::Result<worker::Response> {
                $crate::storage::object::serve(self, req).await
            }
        }
    };
    // An object with an alarm: a failed round is logged; the object sets its next one.
    ($object:ty, alarm) => {
        impl worker::DurableObject for $object {
            fn new(state: worker::State, env: worker::Env) -> Self {
                <$object as $crate::storage::object::StorageObject>::open(state, env)
            }

            async fn fetch(&self, req: worker::Request) -> worker::Result<worker::Response> {
                $crate::storage::object::serve(self, req).await
            }

            async fn alarm(&self) -> worker::Result<worker::Response> {
                if let Err(problem) = <$object as $crate::storage::object::StorageObject>::alarm(self).await {
                    worker::console_error!("{} alarm: {problem:?}", stringify!($object));
                }
                worker::Response::empty()
            }
        }
    };
}
pub(crate) use durable_object_serving;

#[cfg(test)]
mod tests {
    use super::{Done, Operation};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct Add {
        item: String,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct List;

    protocol! {
        #[derive(Debug, PartialEq)]
        pub enum SampleOperation {
            Add(Add) -> Done,
            List(List) -> Vec<String>,
        }
    }

    fn answer_of<R: Operation>(_: &R) -> &'static str {
        std::any::type_name::<R::Answer>()
    }

    #[test]
    fn operations_travel_as_tagged_json_and_come_back_whole() {
        let add = SampleOperation::from(Add { item: "b.issuer.bill-1".into() });
        let json = serde_json::to_value(&add).unwrap();
        assert_eq!(json, serde_json::json!({"operation": "add", "request": {"item": "b.issuer.bill-1"}}));
        assert_eq!(serde_json::from_value::<SampleOperation>(json).unwrap(), add);
        let list = serde_json::to_string(&SampleOperation::from(List)).unwrap();
        assert_eq!(serde_json::from_str::<SampleOperation>(&list).unwrap(), SampleOperation::List(List));
    }

    #[test]
    fn each_request_names_its_answer() {
        assert!(answer_of(&List).contains("Vec<alloc::string::String>"), "{}", answer_of(&List));
        assert!(answer_of(&Add { item: String::new() }).ends_with("Done"));
        assert_eq!(serde_json::from_str::<Done>("null").ok().map(|_| ()), Some(()));
    }
}
