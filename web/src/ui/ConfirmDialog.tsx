// A confirmation that says what will happen before it happens (closing the record, blocking a
// professional…). A modal dialog from react-aria-components: focus is held inside and given
// back, Escape cancels.
import type { ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';

export interface ConfirmProps {
  trigger: ReactNode;
  triggerClass?: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm(): void | Promise<void>;
  tone?: 'danger' | 'normal';
  isDisabled?: boolean;
}

export function ConfirmDialog(p: ConfirmProps) {
  const { t } = useTranslation();
  return (
    <DialogTrigger>
      <Button className={p.triggerClass ?? 'button'} isDisabled={p.isDisabled}>
        {p.trigger}
      </Button>
      <ModalOverlay className="modal-overlay" isDismissable>
        <Modal className="modal">
          <Dialog className="dialog" role="alertdialog">
            {({ close }) => (
              <>
                <Heading slot="title" className="dialog-title">
                  {p.title}
                </Heading>
                <div className="dialog-body">{p.children}</div>
                <div className="actions">
                  <Button className="button button-secondary" onPress={close} autoFocus>
                    {t('common.cancel')}
                  </Button>
                  <Button
                    className={p.tone === 'danger' ? 'button button-danger' : 'button'}
                    onPress={async () => {
                      close();
                      await p.onConfirm();
                    }}
                  >
                    {p.confirmLabel}
                  </Button>
                </div>
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}
