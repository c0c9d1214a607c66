//! The local dev server's one known lie. `wrangler dev` puts a proxy in front of
//! workerd, and that proxy now and then answers a POST with its own plain-text
//! 503 "Your worker restarted mid-request" when it reused a keep-alive
//! connection the runtime had just closed (cloudflare/workers-sdk#14641): the
//! request never reached the Worker, which never answers 503 itself. Such an
//! answer is sent again, once; any other answer, the Worker's, is the test's.

use reqwest::{RequestBuilder, Response, StatusCode};
use std::future::Future;

/// The first words of the proxy's answer.
const PROXY_RESTART: &str = "Your worker restarted mid-request";

/// [`RequestBuilder::send`], sent again once if the local proxy lost it.
pub trait SendThroughProxy {
    fn dispatch(self) -> impl Future<Output = reqwest::Result<Response>> + Send;
}

impl SendThroughProxy for RequestBuilder {
    async fn dispatch(self) -> reqwest::Result<Response> {
        // A streamed body cannot be sent twice: such requests go once.
        let Some(again) = self.try_clone() else { return self.send().await };
        let response = self.send().await?;
        if response.status() != StatusCode::SERVICE_UNAVAILABLE {
            return Ok(response);
        }
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        if body.starts_with(PROXY_RESTART.as_bytes()) {
            eprintln!("local proxy lost a request (workers-sdk#14641); sending it again");
            return again.send().await;
        }
        // The Worker's own 503 (none exists today): handed back as it came.
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.headers_mut() = headers;
        Ok(Response::from(rebuilt))
    }
}
