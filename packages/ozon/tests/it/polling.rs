//! Several import tasks followed at once: each task read on its own, the skus of all of them in
//! one `/v3/product/info/list` call, and a task that cannot be read failing alone.

use carpetti_marketplace::{CardState, Connector};

use crate::{Harness, carpet};

#[tokio::test]
async fn several_tasks_share_one_sku_look_up_and_a_lost_task_fails_alone() -> anyhow::Result<()> {
    let h = Harness::fast().await?;
    let mut submissions = Vec::new();
    for task in 0..3u32 {
        let cards: Vec<_> = (0..5u32)
            .map(|n| carpet(&format!("MANY-{task}-{n}"), task * 10 + n))
            .collect();
        submissions.push(h.connector.submit_cards(&cards).await?);
    }
    let mut lost = submissions[0].clone();
    lost.task_id = Some("17".to_owned());
    submissions.insert(1, lost);
    h.sandbox.toolkit().clear_exchanges();

    let answers = h.connector.poll_many(&submissions).await;

    assert_eq!(answers.len(), 4, "one answer per submission, in order");
    assert!(
        answers[1].is_err(),
        "the task Ozon does not know fails: {:?}",
        answers[1]
    );
    for (submission, answer) in submissions
        .iter()
        .zip(&answers)
        .filter(|(s, _)| s.task_id.as_deref() != Some("17"))
    {
        let results = answer.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
        assert_eq!(results.len(), 5);
        for result in results {
            assert!(submission.offer_ids.contains(&result.offer_id));
            let product = h.sandbox.product(&result.offer_id).expect("created");
            let CardState::Published { ids } = &result.state else {
                panic!("{}: {:?}", result.offer_id, result.state);
            };
            assert_eq!(ids.product_id, Some(product.product_id.to_string()));
            assert_eq!(
                ids.sku,
                Some(product.sku.to_string()),
                "the sku comes with the ids"
            );
        }
    }
    let kit = h.sandbox.toolkit();
    assert_eq!(
        kit.exchanges_to("/v1/product/import/info").len(),
        4,
        "a read per task"
    );
    assert_eq!(
        kit.exchanges_to("/v3/product/info/list").len(),
        1,
        "one sku look-up for all"
    );
    Ok(())
}
