//! `GET /metrics`: Prometheus text with requests counted under their route template (never a
//! raw path with ids or tokens) and latency histograms.

use reqwest::{Method, StatusCode};

use crate::common::TestApp;

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status() {
    let app = TestApp::sqlite().await;
    let admin = app.new_admin("Metrics").await;
    let (_, token) = app.integration(&admin, &["locations.readonly"]).await;
    let path = format!("/locations/{}", admin.location);
    for _ in 0..3 {
        assert_eq!(
            app.api(&token, Method::GET, &path, None).await.0,
            StatusCode::OK
        );
    }
    let (status, _) = app
        .api(&token, Method::GET, "/contacts/?locationId=x", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let response = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(r#"ivorey_http_requests_total{route="/locations/{locationId}",method="GET",status="200"} 3"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/contacts/",method="GET",status="401"} 1"#),
        "{text}"
    );
    assert!(text.contains(
        r#"ivorey_http_request_duration_seconds_count{route="/locations/{locationId}"} 3"#
    ));
    assert!(!text.contains(&admin.location), "no ids in labels");
    assert!(!text.contains(&token[11..]), "no token anywhere");
}
